// The back office's admin API through a real Envoy, on real services (users, catalog, orders, payments
// on PostgreSQL, FerretDB and RabbitMQ): the one-customer view for support, the user actions, and the
// repairs — a ledger adjustment that posts only with a second admin's approval (once, the ledger still
// reconciling), a stock correction, a force-cancel of a paid order into a refund — and who may do what:
// support reads but repairs nothing (403), a customer reaches none of it (403 at the edge). A posted
// adjustment travels as repair.recorded through payments' outbox to the back office's reporting store
// and shows in the finance report once, however often the event arrives.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  type BackofficeService,
  backofficeConfigSchema,
  startBackofficeService,
} from '@shopstack/backoffice';
import { connectRabbit, createLogger, createPgPool, type Pool } from '@shopstack/kit';
import {
  createTestDatabase,
  deleteConsumerQueues,
  freePort,
  type TestDatabase,
  testGrpcEnv,
  waitFor,
} from '@shopstack/kit/testing';
import { MongoClient } from 'mongodb';
import { customer as shopCustomer } from '../../services/orders/test/support/orders-api.js';
import {
  addProduct,
  balanceOf,
  fund,
  type Shop,
  startShop,
  stockOf,
} from '../../services/orders/test/support/shop.js';
import { infraEnv } from '../support/env.js';
import { type EdgeHarness, startEdge } from './edge-harness.js';

const PASSWORD = 'correct horse battery staple';
type Role = 'customer' | 'support' | 'admin' | 'admin2';

describe('the edge: back-office repairs, user actions and the one-customer view', function () {
  this.timeout(180_000);
  let edge: EdgeHarness;
  let shop: Shop;
  let backoffice: BackofficeService;
  let database: TestDatabase;
  let reporting: Pool;
  let postedAdjustment: string;
  const reportingQueue = `backoffice.reporting.${randomUUID().slice(0, 8)}`;
  const accounts = {} as Record<Role, { id: string; email: string; token: string }>;

  before(async () => {
    // Payments' relay publishes onto the shop's exchange, where this back office's worker reads them.
    shop = await startShop({}, { paymentEvents: true });
    database = await createTestDatabase('edge_repairs');
    const port = await freePort();
    edge = await startEdge({ upstreams: { backoffice: { host: '127.0.0.1', port } } });
    backoffice = await startBackofficeService(
      backofficeConfigSchema.parse({
        HOST: '127.0.0.1',
        HTTP_PORT: String(port),
        ...testGrpcEnv('backoffice'),
        GRPC_PORT: '0',
        LOG_LEVEL: 'silent',
        DATABASE_URL: database.url,
        AMQP_URL: infraEnv('AMQP_URL'),
        JWKS_URL: `${edge.users.httpUrl}/.well-known/jwks.json`,
        EVENTS_EXCHANGE: shop.names.events,
        EVENTS_QUEUE: reportingQueue,
        WORKER_POLL_INTERVAL_MS: '200',
        USERS_GRPC_ADDRESS: edge.users.grpcAddress!,
        ORDERS_GRPC_ADDRESS: shop.orders!.grpcAddress!,
        PAYMENTS_GRPC_ADDRESS: shop.payments.grpcAddress!,
        CATALOG_GRPC_ADDRESS: shop.catalog.grpcAddress!,
      }),
      createLogger({ service: 'backoffice', level: 'silent' }),
    );
    reporting = createPgPool(database.url, { max: 2, name: 'edge-repairs-test' });
    for (const role of ['customer', 'support', 'admin', 'admin2'] as const) {
      const email = `${role}-${randomUUID().slice(0, 8)}@example.com`;
      const post = (path: string, body: unknown) =>
        fetch(`${edge.users.httpUrl}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }).then((r) => r.json() as Promise<{ id: string; accessToken: string }>);
      const { id } = await post('/api/users/register', { email, password: PASSWORD });
      const staff = role === 'admin2' ? 'admin' : role;
      await edge.users.deps.pool.query('update users set role = $2 where id = $1', [id, staff]);
      const { accessToken } = await post('/api/users/login', { email, password: PASSWORD });
      accounts[role] = { id, email, token: accessToken };
    }
    await fund(shop, accounts.customer.id, 10_000n);
    await waitFor(async () => (await call('GET', '/api/backoffice/jobs', 'admin')).status === 200, {
      timeoutMs: 30_000,
      what: 'the edge routing to the back office',
    });
  });

  after(async () => {
    await backoffice?.close();
    await reporting?.end();
    await deleteConsumerQueues([reportingQueue], infraEnv('AMQP_URL')).catch(() => {});
    await edge?.close();
    await shop?.close();
    await database?.drop();
  });

  async function call(method: string, path: string, role?: Role, body?: unknown, key?: string) {
    const response = await fetch(`${edge.edgeUrl}${path}`, {
      method,
      headers: {
        ...(role ? { authorization: `Bearer ${accounts[role].token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(key ? { 'idempotency-key': key } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      body: text ? JSON.parse(text) : undefined,
    };
  }
  const adjust = (role: Role, amount: number | string, key = randomUUID()) =>
    call(
      'POST',
      '/api/backoffice/repairs/ledger-adjustments',
      role,
      {
        userId: accounts.customer.id,
        currency: 'EUR',
        amount,
        reason: 'charged twice in the 03:12 incident',
      },
      key,
    );
  const approve = (role: Role, id: string) =>
    call('POST', `/api/backoffice/repairs/ledger-adjustments/${id}/approve`, role);

  it('posts an adjustment only with a second, different admin, once, and the ledger still reconciles', async () => {
    const key = randomUUID();
    const requested = await adjust('admin', 1500, key);
    assert.equal(requested.status, 201, JSON.stringify(requested.body));
    assert.equal(requested.body.status, 'awaiting_approval');
    assert.equal(requested.body.requestedBy, accounts.admin.id);
    assert.deepEqual(await balanceOf(shop, accounts.customer.id), { balance: 10_000n, held: 0n });
    // The same key again: the same request; nothing more.
    assert.equal((await adjust('admin', 1500, key)).body.id, requested.body.id);

    const self = await approve('admin', requested.body.id);
    assert.equal(self.status, 403);
    assert.match(self.type ?? '', /application\/problem\+json/);
    assert.match(self.body.type, /four-eyes$/);
    assert.deepEqual(await balanceOf(shop, accounts.customer.id), { balance: 10_000n, held: 0n });

    const posted = await approve('admin2', requested.body.id);
    assert.equal(posted.status, 200, JSON.stringify(posted.body));
    assert.deepEqual(
      [
        posted.body.status,
        posted.body.approvedBy,
        posted.body.balanceBeforeMinor,
        posted.body.balanceAfterMinor,
      ],
      ['posted', accounts.admin2.id, '10000', '11500'],
    );
    assert.deepEqual(await balanceOf(shop, accounts.customer.id), { balance: 11_500n, held: 0n });
    for (const role of ['admin2', 'admin'] as const) {
      const twice = await approve(role, requested.body.id);
      assert.equal(twice.status, 409);
      assert.match(twice.body.type, /adjustment-already-approved$/);
    }
    assert.deepEqual(await balanceOf(shop, accounts.customer.id), { balance: 11_500n, held: 0n });
    const report = await shop.payments.app.reconciliation.run();
    assert.deepEqual(report.problems, []);
    assert.equal(report.differenceByCurrency.get('EUR') ?? 0n, 0n);
    assert.equal(report.imbalanceByCurrency.get('EUR'), 0n);
    postedAdjustment = requested.body.id;
  });

  it('shows the posted adjustment in the finance report once, however often its event arrives', async () => {
    const messageId = `${postedAdjustment}:repair.recorded`;
    const handled = async (id: string) =>
      (await reporting.query('select 1 from kit_inbox where message_id = $1', [id])).rowCount === 1;
    await waitFor(() => handled(messageId), {
      timeoutMs: 30_000,
      what: 'the repair event in the back office',
    });
    // Told again: the same message (a broker redelivery), and a copy under another id (a replay).
    const mongo = new MongoClient(infraEnv('MONGO_URL'));
    const stored = await mongo
      .db(`orders_payments_${shop.suffix}`)
      .collection<{ _id: string; payload: unknown }>('outbox')
      .findOne({ _id: messageId });
    await mongo.close();
    assert.ok(stored, 'the event is in the outbox');
    const connection = await connectRabbit(infraEnv('AMQP_URL'), 'edge-repairs-test');
    const channel = await connection.createConfirmChannel();
    const copy = randomUUID();
    for (const id of [messageId, copy]) {
      channel.publish(shop.names.events, 'repair.recorded', Buffer.from(JSON.stringify(stored.payload)), {
        messageId: id,
        type: 'repair.recorded',
        contentType: 'application/json',
      });
    }
    await channel.waitForConfirms();
    await connection.close();
    await waitFor(() => handled(copy), { what: 'the replayed copy' });

    const today = new Date().toISOString().slice(0, 10);
    const job = await call(
      'POST',
      '/api/backoffice/reports',
      'admin',
      { kind: 'finance', from: today, to: today },
      randomUUID(),
    );
    assert.equal(job.status, 202, JSON.stringify(job.body));
    await waitFor(
      async () =>
        (await call('GET', `/api/backoffice/reports/${job.body.id}`, 'support')).body.status === 'succeeded',
      { timeoutMs: 30_000, what: 'the finance report' },
    );
    const finance = await call('GET', `/api/backoffice/reports/${job.body.id}/download?format=json`, 'admin');
    assert.equal(finance.status, 200);
    assert.equal(finance.body.totals.EUR.adjustment_creditCount, '1');
    assert.equal(finance.body.totals.EUR.adjustment_creditMinor, '1500');
  });

  it('refuses bad adjustments with problem+json naming the field, and stores nothing', async () => {
    for (const [amount, field] of [
      [0, 'amount'],
      ['12.5', 'amount'],
    ] as const) {
      const refused = await adjust('admin', amount);
      assert.equal(refused.status, 400);
      assert.ok(
        refused.body.errors.some((f: { field: string }) => f.field === field),
        JSON.stringify(refused.body),
      );
    }
    const noKey = await call('POST', '/api/backoffice/repairs/ledger-adjustments', 'admin', {
      userId: accounts.customer.id,
      currency: 'EUR',
      amount: 5,
      reason: 'no key',
    });
    assert.equal(noKey.status, 400);
    const listed = await call(
      'GET',
      `/api/backoffice/repairs/ledger-adjustments?userId=${accounts.customer.id}`,
      'support',
    );
    assert.equal(listed.body.items.length, 1);
  });

  it('corrects stock through the catalog, audited with the admin', async () => {
    const product = await addProduct(shop, { priceMinor: 500, stock: 9 });
    const corrected = await call(
      'POST',
      `/api/backoffice/repairs/products/${product}/stock`,
      'admin',
      { onHand: 6, reason: 'three units water-damaged' },
      randomUUID(),
    );
    assert.equal(corrected.status, 200, JSON.stringify(corrected.body));
    assert.deepEqual([corrected.body.onHandBefore, corrected.body.onHandAfter], [9, 6]);
    assert.deepEqual(await stockOf(shop, product), { on_hand: 6, reserved: 0 });
    const { rows } = await shop.catalog.deps.pool.query(
      'select actor_id, reason from stock_corrections where product_id = $1',
      [product],
    );
    assert.deepEqual(rows, [{ actor_id: accounts.admin.id, reason: 'three units water-damaged' }]);
  });

  it('force-cancels a paid order into a refund; support then sees it all in the one-customer view', async () => {
    const product = await addProduct(shop, { priceMinor: 1_000, stock: 5 });
    const buyer = shopCustomer(shop, accounts.customer.id);
    await buyer.addToCart(product, 2);
    const { orderId } = await buyer.checkout();
    await buyer.settled(orderId);
    const cancelled = await call(
      'POST',
      `/api/backoffice/repairs/orders/${orderId}/force-cancel`,
      'admin',
      { reason: 'parcel lost by the carrier' },
      randomUUID(),
    );
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
    assert.deepEqual([cancelled.body.stepBefore, cancelled.body.stepAfter], ['done', 'refund']);
    await buyer.reaches(orderId, 'refunded');
    assert.deepEqual(await balanceOf(shop, accounts.customer.id), { balance: 11_500n, held: 0n });

    const view = await call('GET', `/api/backoffice/customers/${accounts.customer.id}`, 'support');
    assert.equal(view.status, 200, JSON.stringify(view.body));
    assert.equal(view.body.profile.email, accounts.customer.email);
    assert.equal(view.body.profile.role, 'customer');
    assert.ok(view.body.sessions.some((s: { active: boolean }) => s.active));
    const order = view.body.orders.find((o: { orderId: string }) => o.orderId === orderId);
    assert.equal(order.status, 'refunded');
    assert.equal(order.saga.step, 'done');
    assert.equal(view.body.accounts[0].balanceMinor, '11500');
    assert.ok(view.body.accounts[0].statement.length > 0);
    assert.equal(view.body.adjustments[0].status, 'posted');
    assert.ok(view.body.auditTrail.some((e: { event: string }) => e.event === 'user.registered'));
    // Notifications is not part of this shop: its section is null and named, the rest is there.
    assert.deepEqual(view.body.unavailable, ['notifications']);
    assert.equal(view.body.deliveries, null);
  });

  it('confirms an email and signs a user out everywhere, as an admin', async () => {
    // The second admin, whose part (the approval) is done: signed out here, its token is refused
    // everywhere from now on, and the role checks below still need support's.
    const target = accounts.admin2;
    const confirmed = await call('POST', `/api/backoffice/users/${target.id}/confirm-email`, 'admin', {
      reason: 'verified on a video call',
    });
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    assert.equal(confirmed.body.emailVerified, true);
    const signedOut = await call('POST', `/api/backoffice/users/${target.id}/sign-out`, 'admin', {
      reason: 'laptop stolen',
    });
    assert.equal(signedOut.status, 200);
    assert.equal(signedOut.body.sessionsRevoked, 1);
    const self = await call('POST', `/api/backoffice/users/${accounts.admin.id}/sign-out`, 'admin', {
      reason: 'myself',
    });
    assert.equal(self.status, 403);
  });

  it('lets support repair nothing (403) and a customer reach none of it (403 at the edge)', async () => {
    const product = await addProduct(shop, { priceMinor: 100, stock: 1 });
    const writes: [string, unknown][] = [
      [
        '/api/backoffice/repairs/ledger-adjustments',
        { userId: accounts.customer.id, currency: 'EUR', amount: 1, reason: 'x-y-z' },
      ],
      ['/api/backoffice/repairs/ledger-adjustments/adj_00000000000000000000000000000000/approve', undefined],
      [`/api/backoffice/repairs/orders/${randomUUID()}/force-cancel`, { reason: 'x-y-z' }],
      [`/api/backoffice/repairs/orders/${randomUUID()}/retry`, { reason: 'x-y-z' }],
      [`/api/backoffice/repairs/products/${product}/stock`, { onHand: 0, reason: 'x-y-z' }],
      [`/api/backoffice/users/${accounts.customer.id}/block`, { reason: 'x-y-z' }],
      [`/api/backoffice/users/${accounts.customer.id}/sign-out`, { reason: 'x-y-z' }],
    ];
    for (const role of ['support', 'customer'] as const)
      for (const [path, body] of writes) {
        const refused = await call('POST', path, role, body, randomUUID());
        assert.equal(refused.status, 403, `${role} ${path}: ${refused.status}`);
      }
    const customerRead = await call('GET', `/api/backoffice/customers/${accounts.customer.id}`, 'customer');
    assert.equal(customerRead.status, 403);
    assert.deepEqual(await stockOf(shop, product), { on_hand: 1, reserved: 0 });
    assert.equal(
      (await call('GET', `/api/backoffice/customers/${accounts.customer.id}`, 'support')).body.profile
        .blocked,
      false,
    );
  });
});
