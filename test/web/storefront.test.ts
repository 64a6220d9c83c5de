// The web app in a real browser against the real platform through the edge: a new customer signs
// up, confirms the email from Mailpit, tops up, buys two products and watches the order confirm,
// with the balance and stock changed; a checkout the wallet cannot pay ends cancelled with the
// reason; an admin blocks the customer in the console and the customer's next action lands on
// sign-in, with the cart still there once unblocked. In the console, on the back office's admin API:
// the one-customer view, a ledger credit that posts only on a second admin's approval, a stock
// correction, an email confirmed by hand, a report followed to its CSV, anomalies, the ledger's
// reconciliation, a webhook endpoint with a delivered test event, and support's read-only view.
// Every main page is audited with axe-core (no serious violation) at desktop and phone width, and
// kept as a screenshot.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { linkIn, type Mailbox, mailpit, waitFor } from '@shopstack/kit/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { type Platform, platform } from '../e2e/platform.js';
import {
  describeViolations,
  launchChromium,
  overflowsSideways,
  SCREENSHOTS,
  seriousViolations,
} from './browser.js';
import { committedDocument, serialize, servedDocument, WEB_API_SERVICES } from './openapi-documents.js';

/** Short-lived access tokens, so a revoked session shows within seconds (refreshes stay quiet). */
const ACCESS_TOKEN_TTL_SECONDS = 15;
const PHONE = { width: 390, height: 844 };

describe('the web app in Chromium, through the edge', function () {
  this.timeout(300_000);
  let shop: Platform;
  let browser: Browser;
  let mail: Mailbox;
  let customerContext: BrowserContext;
  let page: Page;
  const customer = {
    email: `web.${randomUUID().slice(0, 8)}@example.test`,
    password: 'a basket of good things',
  };
  const tag = randomUUID().slice(0, 6);
  const products = {
    mug: { name: `Stoneware mug ${tag}`, priceMinor: 1250, stockOnHand: 5 },
    beans: { name: `Espresso beans ${tag}`, priceMinor: 725, stockOnHand: 10 },
    grinder: { name: `Burr grinder ${tag}`, priceMinor: 3000, stockOnHand: 3 },
  };
  const ids: Record<keyof typeof products, string> = { mug: '', beans: '', grinder: '' };
  let adminToken: string;

  async function api(method: string, url: string, token?: string, body?: unknown) {
    const response = await fetch(`${shop.edgeUrl}${url}`, {
      method,
      headers: {
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  /** Screenshot and axe audit of the page as it is; both widths when `phone` is asked for. */
  async function check(target: Page, name: string, options: { phone?: boolean } = {}) {
    await target.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
    const violations = await seriousViolations(target);
    assert.equal(violations.length, 0, `${name}: axe found\n${describeViolations(violations)}`);
    if (options.phone) {
      const size = target.viewportSize();
      await target.setViewportSize(PHONE);
      await target.screenshot({ path: path.join(SCREENSHOTS, `${name}-phone.png`), fullPage: true });
      assert.deepEqual(await overflowsSideways(target), [], `${name} scrolls sideways at phone width`);
      const phoneViolations = await seriousViolations(target);
      assert.equal(
        phoneViolations.length,
        0,
        `${name} (phone): axe found\n${describeViolations(phoneViolations)}`,
      );
      if (size) await target.setViewportSize(size);
    }
  }

  async function signIn(target: Page, account: { email: string; password: string }) {
    await target.getByLabel('Email').fill(account.email);
    await target.getByLabel('Password').fill(account.password);
    await target.getByRole('button', { name: 'Sign in' }).click();
  }

  const balanceText = async () => (await page.getByTestId('available').textContent())?.trim();
  /** Waits until the wallet shows this available amount (it reloads after a movement). */
  const availableIs = (amount: string) => page.getByTestId('available').filter({ hasText: amount }).waitFor();
  /** A product's page, reached as a person would: the catalog, a search, the product's link. */
  async function openProduct(name: string) {
    await menu(page, 'Catalog').click();
    await page.getByLabel('Search', { exact: true }).fill(tag);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name }).click();
    await page.getByRole('heading', { level: 1, name }).waitFor();
  }
  /** A link of the main menu (pages have links of the same name in their text too). */
  const menu = (target: Page, name: string) =>
    target.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

  /** The console's own menu. */
  const consoleMenu = (target: Page, name: string) =>
    target.getByRole('navigation', { name: 'Console' }).getByRole('link', { name, exact: true });
  const adminApiToken = async () =>
    (await api('POST', '/api/users/login', undefined, shop.admin)).body.accessToken as string;
  /** A new account in a staff role, appointed by the platform's admin through the users API. */
  async function staffMember(role: 'admin' | 'support') {
    const who = {
      email: `${role}.${randomUUID().slice(0, 8)}@example.test`,
      password: 'minding the shop 2026',
    };
    const registered = await api('POST', '/api/users/register', undefined, who);
    assert.equal(registered.status, 201, JSON.stringify(registered.body));
    const appointed = await api(
      'PUT',
      `/api/users/admin/users/${registered.body.id}/role`,
      await adminApiToken(),
      {
        role,
      },
    );
    assert.equal(appointed.status, 200, JSON.stringify(appointed.body));
    return { ...who, id: registered.body.id as string };
  }
  const consoleContexts: BrowserContext[] = [];
  /** A browser of its own for a staff member, signed in and on the console. */
  async function consolePage(account: { email: string; password: string }) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(20_000);
    consoleContexts.push(context);
    const target = await context.newPage();
    await target.goto(`${shop.edgeUrl}/sign-in?next=%2Fadmin`);
    await signIn(target, account);
    await target.waitForURL('**/admin');
    return target;
  }
  /** Where the console's webhook endpoint delivers: every request it got, as it got it. */
  const hooks: { headers: IncomingHttpHeaders; body: string }[] = [];
  let hookServer: Server;

  before(async () => {
    mail = mailpit();
    hookServer = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        hooks.push({ headers: request.headers, body });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => hookServer.listen(0, '127.0.0.1', resolve));
    [shop, browser] = await Promise.all([
      platform({
        web: true,
        // Reports are generated by the back office's worker, so it runs too, not only its API.
        backofficeWorker: true,
        env: {
          ACCESS_TOKEN_TTL_SECONDS: String(ACCESS_TOKEN_TTL_SECONDS),
          // The console's webhook endpoint is this test's own receiver, on this machine over plain HTTP.
          WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
          WEBHOOK_ALLOW_PLAIN_HTTP: 'true',
        },
      }),
      launchChromium(),
    ]);
    const login = await api('POST', '/api/users/login', undefined, shop.admin);
    assert.equal(login.status, 200, JSON.stringify(login.body));
    adminToken = login.body.accessToken;
    for (const key of Object.keys(products) as (keyof typeof products)[]) {
      const created = await api('POST', '/api/catalog/products', adminToken, {
        ...products[key],
        currency: 'EUR',
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      ids[key] = created.body.id;
    }
    customerContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    customerContext.setDefaultTimeout(20_000);
    page = await customerContext.newPage();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) {
      const name = `failed-${this.currentTest.title.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}.png`;
      await page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true }).catch(() => {});
    }
  });

  after(async () => {
    for (const context of consoleContexts) await context.close();
    hookServer?.close();
    await browser?.close();
    await shop?.stop();
  });

  it('serves the app at / with index.html uncached and hashed assets immutable', async () => {
    const index = await fetch(`${shop.edgeUrl}/`);
    assert.equal(index.status, 200);
    assert.equal(index.headers.get('cache-control'), 'no-cache');
    assert.match(index.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    const html = await index.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(script, html);
    const asset = await fetch(`${shop.edgeUrl}${script}`);
    assert.equal(asset.status, 200);
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    const deepLink = await fetch(`${shop.edgeUrl}/orders/some-order`);
    assert.equal(deepLink.status, 200, 'a page of the app is the app');
    assert.equal(await deepLink.text(), html);
    const unknownApi = await fetch(`${shop.edgeUrl}/api/nothing-here`);
    assert.equal(unknownApi.status, 401, 'an unknown API path is not opened by the app route');
  });

  it('was generated from the OpenAPI documents the services serve now (web/openapi is not stale)', async () => {
    for (const service of WEB_API_SERVICES) {
      const served = serialize(await servedDocument(shop.services![service]));
      assert.equal(
        await committedDocument(service),
        served,
        `web/openapi/${service}.json differs from what ${service} serves: run ` +
          'node --import tsx --conditions=shopstack-source test/web/refresh-openapi.ts and commit web/openapi/',
      );
    }
  });

  it('signs a new customer up, confirms the email from Mailpit and signs in', async () => {
    await page.goto(`${shop.edgeUrl}/sign-up`);
    await check(page, 'sign-up');
    await page.getByLabel('Email').fill(customer.email);
    await page.getByLabel(/^Password/).fill(customer.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText(`We sent a link to ${customer.email}`).waitFor();

    const [message] = await mail.waitForMail(customer.email, {
      subject: /Confirm your email/,
      timeoutMs: 30_000,
    });
    const link = linkIn(message!.text, '/api/users/verify-email');
    await page.goto(link);
    assert.match((await page.textContent('body')) ?? '', /"emailVerified":true/);

    await page.goto(`${shop.edgeUrl}/sign-in?next=%2Faccount`);
    await check(page, 'sign-in', { phone: true });
    await signIn(page, customer);
    await page.waitForURL('**/account');
    await page.getByText(`${customer.email} (confirmed)`).waitFor();
  });

  it("lists the account's sessions and signs another device out: its tokens stop working", async () => {
    const phoneUa = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Safari/604.1';
    const signedIn = await fetch(`${shop.edgeUrl}/api/users/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': phoneUa },
      body: JSON.stringify(customer),
    });
    const other = (await signedIn.json()) as { accessToken: string; refreshToken: string };
    assert.equal((await api('GET', '/api/payments/accounts', other.accessToken)).status, 200);

    await page.reload();
    const sessions = page.getByTestId('sessions');
    await sessions.getByText('Safari on iOS').waitFor();
    await sessions.getByText('this device').waitFor();
    assert.equal(await sessions.getByRole('listitem').count(), 2);
    await check(page, 'account', { phone: true });
    await page.getByRole('button', { name: /^Sign out Safari on iOS, signed in/ }).click();
    await page.getByText('Signed out: Safari on iOS').waitFor();
    await sessions.getByText('Safari on iOS').waitFor({ state: 'detached' });
    assert.equal(await sessions.getByRole('listitem').count(), 1);

    // Through the edge: the other device's unexpired access token is refused by the services (the
    // deny list), and its refresh token at once; this tab's session goes on.
    const refused = await waitFor(
      async () => {
        const reply = await api('GET', '/api/payments/accounts', other.accessToken);
        return reply.status === 401 && reply;
      },
      { what: "payments refusing the signed-out session's access token" },
    );
    assert.equal(refused.body.type, 'https://shopstack.dev/problems/token-revoked');
    const refresh = await api('POST', '/api/users/token/refresh', undefined, {
      refreshToken: other.refreshToken,
    });
    assert.equal(refresh.status, 401);
    await menu(page, 'Wallet').click();
    await page.getByTestId('available').waitFor();
  });

  it('tops the wallet up through the sandbox provider', async () => {
    await menu(page, 'Wallet').click();
    await page.getByLabel('Amount (EUR)').first().fill('40.00');
    await page.getByRole('button', { name: 'Top up' }).click();
    await page.getByText('Topped up €40.00').waitFor({ timeout: 30_000 });
    await availableIs('€40.00');
    await check(page, 'wallet', { phone: true });
  });

  it('buys two products: the checkout confirms live, the balance and the stock change', async () => {
    await menu(page, 'Catalog').click();
    await page.getByLabel('Search', { exact: true }).fill(tag);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: products.mug.name }).waitFor();
    await check(page, 'catalog', { phone: true });
    await page.getByRole('button', { name: `Add ${products.mug.name} to the cart` }).click();
    await page.getByRole('button', { name: `${products.mug.name} added to the cart` }).waitFor();

    await page.getByRole('link', { name: products.beans.name }).click();
    await page.getByTestId('stock').getByText('10 in stock').waitFor();
    await page.getByLabel('Quantity').fill('2');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByText('Added 2 to the cart').waitFor();
    await check(page, 'product');

    await menu(page, 'Cart').click();
    await page.getByTestId('cart-total').getByText('Total: €27.00').waitFor();
    await check(page, 'cart', { phone: true });
    await page.getByRole('button', { name: 'Check out' }).click();
    await page.waitForURL(/\/orders\/[0-9a-f-]{36}$/);
    await page.getByTestId('order-status').getByText('Confirmed').waitFor({ timeout: 60_000 });
    await page.getByText('✓ Stock committed').waitFor({ timeout: 60_000 });
    await check(page, 'order-confirmed', { phone: true });

    const orderId = page.url().split('/').pop()!;
    const customerLogin = await api('POST', '/api/users/login', undefined, customer);
    const order = await api('GET', `/api/orders/${orderId}`, customerLogin.body.accessToken);
    assert.equal(order.body.status, 'confirmed');
    assert.equal(order.body.totalMinor, '2700');

    await menu(page, 'Wallet').click();
    await availableIs('€13.00');
    assert.equal(await balanceText(), '€13.00');
    const beans = await api('GET', `/api/catalog/products/${ids.beans}`);
    assert.deepEqual(beans.body.stock, { onHand: 8, reserved: 0, available: 8 });
    await openProduct(products.mug.name);
    await page.getByTestId('stock').getByText('4 in stock').waitFor();
  });

  it('lets a buyer review what they bought', async () => {
    await page.getByLabel('Title').fill('Holds the heat');
    await page.getByRole('textbox', { name: 'Review' }).fill('Coffee stays warm to the last sip.');
    await page.getByRole('button', { name: 'Publish review' }).click();
    await page.getByText('Holds the heat').waitFor();
    const reviews = await api('GET', `/api/catalog/products/${ids.mug}/reviews`);
    assert.equal(reviews.body.items.length, 1);
    assert.equal(reviews.body.items[0].title, 'Holds the heat');
  });

  it('shows why a checkout the wallet cannot pay was cancelled', async () => {
    await openProduct(products.grinder.name);
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByText('Added 1 to the cart').waitFor();
    await menu(page, 'Cart').click();
    await page.getByTestId('cart-total').getByText('Total: €30.00').waitFor();
    await page.getByRole('button', { name: 'Check out' }).click();
    await page
      .getByTestId('order-status')
      .getByText('Cancelled — Not enough money in the wallet')
      .waitFor({ timeout: 60_000 });
    await check(page, 'order-cancelled');
    const grinder = await api('GET', `/api/catalog/products/${ids.grinder}`);
    assert.deepEqual(
      grinder.body.stock,
      { onHand: 3, reserved: 0, available: 3 },
      'the reservation was released',
    );
    await menu(page, 'Orders').click();
    await page.getByText('Not enough money in the wallet').waitFor();
    await check(page, 'orders');
  });

  it("blocks the customer from the console: the customer's next action goes to sign-in, the cart kept", async () => {
    // Something in the cart, to find again afterwards.
    await openProduct(products.mug.name);
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByText('Added 1 to the cart').waitFor();

    const adminContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    adminContext.setDefaultTimeout(20_000);
    const admin = await adminContext.newPage();
    await admin.goto(`${shop.edgeUrl}/sign-in?next=%2Fadmin`);
    await signIn(admin, shop.admin);
    await admin.waitForURL('**/admin');
    await admin.getByLabel('Email contains').fill(customer.email);
    await admin.getByRole('button', { name: 'Search' }).click();
    await admin.getByRole('link', { name: customer.email }).click();
    await admin.getByTestId('user-status').getByText('active').waitFor();
    const userPage = admin.url();
    await check(admin, 'console-user', { phone: true });
    await admin.getByLabel('Reason (kept in the audit log)').fill('chargeback fraud suspected');
    await admin.getByRole('button', { name: 'Block the user' }).click();
    await admin.getByTestId('user-status').getByText('blocked').waitFor();
    await admin.getByRole('link', { name: 'Users', exact: true }).click();
    await admin.getByRole('cell', { name: 'blocked' }).first().waitFor();
    await check(admin, 'console-users', { phone: true });
    await admin.getByRole('link', { name: 'Observability' }).click();
    await admin
      .getByRole('link', { name: 'Prometheus' })
      .or(admin.getByText('Prometheus (not configured'))
      .waitFor();
    await check(admin, 'console-observability');

    // The access token still in the customer's tab expires; the refresh is refused (sessions revoked).
    const expiresAt = (await page.evaluate(
      `JSON.parse(localStorage.getItem('shopstack.session') ?? '{}').expiresAt`,
    )) as number;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now()) + 500));
    await menu(page, 'Orders').click();
    await page.waitForURL(/\/sign-in\?next=%2Forders&reason=expired$/);
    await page.getByText('Your session has ended').waitFor();
    await check(page, 'signed-out');
    // Blocked: sign-in is refused (with the same words as a wrong password: no account probing).
    await signIn(page, customer);
    await page.getByText('the email or the password is wrong').waitFor();

    // Unblocked, the customer signs in again and lands where they were, with the cart as it was.
    await admin.goto(userPage);
    await admin.getByRole('button', { name: /^Unblock/ }).click();
    await admin.getByTestId('user-status').getByText('active').waitFor();
    await signIn(page, customer);
    await page.waitForURL('**/orders');
    await menu(page, 'Cart').click();
    await page.getByRole('link', { name: products.mug.name }).waitFor();
    await page.getByTestId('cart-total').getByText('Total: €12.50').waitFor();
    await adminContext.close();
  });

  describe('the console', () => {
    let first: Page;
    let customerId: string;
    const customerToken = async () =>
      (await api('POST', '/api/users/login', undefined, customer)).body.accessToken as string;

    before(async () => {
      customerId = (await api('GET', '/api/users/me', await customerToken())).body.id;
      first = await consolePage(shop.admin);
    });

    it('shows the one customer; a ledger credit posts only once a second admin approves it', async () => {
      const second = await staffMember('admin');
      await first.goto(`${shop.edgeUrl}/admin/customers/${customerId}`);
      await first.getByTestId('customer-profile').getByText(customerId).waitFor();
      await first.getByTestId('customer-orders').getByText('confirmed').waitFor();
      await first
        .getByTestId('customer-orders')
        .getByText(/cancelled — Not enough money/)
        .waitFor();
      await first
        .getByTestId('customer-balance-EUR')
        .getByText(/balance €13\.00/)
        .waitFor();
      await check(first, 'console-customer', { phone: true });

      const request = first.getByRole('form', { name: 'Request a ledger adjustment' });
      await request.getByLabel('Amount').fill('5.00');
      await request.getByLabel(/^Reason/).fill('goodwill: the parcel came late');
      await request.getByRole('button', { name: 'Request the adjustment' }).click();
      await first.getByText('Requested: it posts once another admin approves it').waitFor();
      await consoleMenu(first, 'Repairs').click();
      const mine = first
        .getByTestId('adjustments')
        .getByRole('row')
        .filter({ hasText: 'the parcel came late' });
      await mine.getByText('another admin approves').waitFor();
      assert.equal(
        await mine.getByRole('button', { name: /^Approve/ }).count(),
        0,
        'four eyes: not the requester',
      );
      await check(first, 'console-repairs', { phone: true });
      const before = await api('GET', '/api/payments/accounts', await customerToken());
      assert.equal(before.body.accounts[0].balance, '1300', 'nothing moved before the approval');

      const other = await consolePage(second);
      await consoleMenu(other, 'Repairs').click();
      const theirs = other
        .getByTestId('adjustments')
        .getByRole('row')
        .filter({ hasText: 'the parcel came late' });
      await theirs.getByRole('button', { name: /^Approve €5\.00/ }).click();
      await other.getByText('Approved and posted').waitFor();
      await theirs.getByText('posted (balance €13.00 → €18.00)').waitFor();
      const after = await api('GET', '/api/payments/accounts', await customerToken());
      assert.equal(after.body.accounts[0].balance, '1800');

      // The same admin corrects a product's counted stock.
      const correction = other.getByRole('form', { name: "Correct a product's stock" });
      await correction.getByLabel('Product name (exactly)').fill(products.grinder.name);
      await correction.getByLabel('Units on hand (counted)').fill('7');
      await correction.getByLabel(/^Reason/).fill('recounted at the stocktake');
      await correction.getByRole('button', { name: 'Correct the stock' }).click();
      await other.getByText('Stock corrected').waitFor();
      const grinder = await api('GET', `/api/catalog/products/${ids.grinder}`);
      assert.deepEqual(grinder.body.stock, { onHand: 7, reserved: 0, available: 7 });
    });

    it('confirms an email by hand, with the reason in the audit trail', async () => {
      const who = {
        email: `unconfirmed.${randomUUID().slice(0, 8)}@example.test`,
        password: 'no mail arrives here',
      };
      const registered = await api('POST', '/api/users/register', undefined, who);
      assert.equal(registered.status, 201);
      await first.goto(`${shop.edgeUrl}/admin/customers/${registered.body.id}`);
      await first.getByTestId('email-confirmed').getByText('no').waitFor();
      const form = first.getByRole('form', { name: 'Confirm the email by hand' });
      await form.getByLabel(/^Reason/).fill('confirmed on the phone with the customer');
      await form.getByRole('button', { name: 'Confirm the email' }).click();
      await first.getByTestId('email-confirmed').getByText('yes').waitFor();
      await first.getByTestId('customer-audit').getByText('email.confirmed_by_admin by you').waitFor();
      const profile = await api('GET', `/api/users/${registered.body.id}`, await adminApiToken());
      assert.equal(profile.body.emailVerified, true);
    });

    it('requests a sales report, follows it and downloads its CSV', async () => {
      await consoleMenu(first, 'Reports').click();
      const form = first.getByRole('form', { name: 'Request a report' });
      await form.getByLabel('Report').selectOption('sales');
      await form.getByRole('button', { name: 'Request the report' }).click();
      await first.getByTestId('report-status').first().getByText('succeeded').waitFor({ timeout: 60_000 });
      await check(first, 'console-reports', { phone: true });
      const [download] = await Promise.all([
        first.waitForEvent('download'),
        first
          .getByRole('button', { name: /as CSV$/ })
          .first()
          .click(),
      ]);
      const csv = await readFile(await download.path(), 'utf8');
      assert.match(csv, /^day,currency,categoryId,productId,orders,units,revenueMinor\n/);
      assert.ok(csv.includes(`,EUR,uncategorised,${ids.mug},1,1,1250\n`), csv);
      assert.ok(csv.includes(`,EUR,uncategorised,${ids.beans},1,2,1450\n`), csv);
    });

    it('requests the repairs report: the approved ledger credit and the stock correction', async () => {
      const form = first.getByRole('form', { name: 'Request a report' });
      await form.getByLabel('Report').selectOption('repairs');
      await form.getByRole('button', { name: 'Request the report' }).click();
      const download = first.getByRole('button', { name: /^Download repairs .* as CSV$/ }).first();
      await download.waitFor({ timeout: 60_000 });
      const [file] = await Promise.all([first.waitForEvent('download'), download.click()]);
      const csv = await readFile(await file.path(), 'utf8');
      assert.match(csv, /^day,service,kind,count,subjects\n/);
      assert.ok(csv.includes(`,catalog,stock_correction,1,${ids.grinder}\n`), csv);
      assert.match(csv, /,payments,ledger_adjustment,1,acc_\w+\n/);
    });

    it('lists anomalies (none in a quiet shop) and reconciles the ledger', async () => {
      await consoleMenu(first, 'Anomalies').click();
      await first.getByTestId('no-anomalies').waitFor();
      await check(first, 'console-anomalies');
      await consoleMenu(first, 'Ledger').click();
      await first.getByRole('button', { name: 'Reconcile now' }).click();
      await first
        .getByTestId('reconciliation')
        .getByText(/^Consistent: \d+ accounts/)
        .waitFor();
      await check(first, 'console-ledger');
    });

    it("registers the shop's webhook endpoint, sends it a test event and shows the delivery", async () => {
      const url = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hooks`;
      await consoleMenu(first, 'Webhooks').click();
      const form = first.getByRole('form', { name: 'Register an endpoint' });
      await form.getByLabel('URL (https)').fill(url);
      await form.getByLabel('Description').fill('the warehouse system');
      await form.getByLabel('webhook.test').check();
      await form.getByLabel('order.completed').check();
      await form.getByRole('button', { name: 'Register' }).click();
      await first
        .getByTestId('webhook-secret')
        .getByText(/^whsec_/)
        .waitFor();
      await first.getByTestId('endpoints').getByText(url, { exact: true }).waitFor();
      await first.getByRole('button', { name: 'Send a test event' }).click();
      await first.getByTestId('deliveries').getByText('delivered, 1 attempt').waitFor({ timeout: 30_000 });
      await check(first, 'console-webhooks', { phone: true });
      const received = hooks.find((hook) => hook.body.includes('"webhook.test"'));
      assert.ok(received, `the receiver got: ${JSON.stringify(hooks)}`);
      assert.match(String(received.headers['webhook-id']), /^msg_[0-9a-f]{32}$/);
      assert.match(String(received.headers['webhook-signature']), /^v1,/);
    });

    it('shows support the read-only parts only', async () => {
      const support = await consolePage(await staffMember('support'));
      const nav = support.getByRole('navigation', { name: 'Console' });
      await nav.getByRole('link', { name: 'Users' }).waitFor();
      assert.deepEqual(await nav.getByRole('link').allTextContents(), [
        'Users',
        'Repairs',
        'Reports',
        'Anomalies',
        'Observability',
      ]);
      await support.goto(`${shop.edgeUrl}/admin/customers/${customerId}`);
      await support
        .getByTestId('customer-balance-EUR')
        .getByText(/balance €18\.00/)
        .waitFor();
      await support.getByText('Support can look; the actions are for admins.').waitFor();
      assert.equal(await support.getByRole('form').count(), 0, 'no action forms');
      await consoleMenu(support, 'Repairs').click();
      await support.getByTestId('adjustments').getByText('the parcel came late').waitFor();
      assert.equal(
        await support
          .getByRole('button')
          .filter({ hasText: /Approve|Correct|Repair/ })
          .count(),
        0,
      );
      await consoleMenu(support, 'Reports').click();
      await support.getByText('Support can read and download reports; admins request them.').waitFor();
      await support.getByTestId('report-status').first().getByText('succeeded').waitFor();
    });
  });
});
