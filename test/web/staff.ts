// The console's staff in the browser tests: accounts the platform's admin appoints through the users
// API, each signed in to the console in a browser context of its own.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Platform } from '../e2e/platform.js';
import { type edgeApi, signIn } from './pages.js';

export interface Account {
  email: string;
  password: string;
}

export class Staff {
  private readonly contexts: BrowserContext[] = [];

  constructor(
    private readonly shop: Platform,
    private readonly browser: Browser,
    private readonly api: ReturnType<typeof edgeApi>,
  ) {}

  /** A fresh access token of the platform's admin. */
  async adminToken(): Promise<string> {
    return (await this.api('POST', '/api/users/login', undefined, this.shop.admin)).body
      .accessToken as string;
  }

  /** A new account in a staff role. */
  async member(role: 'admin' | 'support'): Promise<Account & { id: string }> {
    const who = {
      email: `${role}.${randomUUID().slice(0, 8)}@example.test`,
      password: 'minding the shop 2026',
    };
    const registered = await this.api('POST', '/api/users/register', undefined, who);
    assert.equal(registered.status, 201, JSON.stringify(registered.body));
    const path = `/api/users/admin/users/${registered.body.id}/role`;
    const appointed = await this.api('PUT', path, await this.adminToken(), { role });
    assert.equal(appointed.status, 200, JSON.stringify(appointed.body));
    return { ...who, id: registered.body.id as string };
  }

  /** A browser of its own for a staff member, signed in and on the console. */
  async consolePage(account: Account): Promise<Page> {
    const context = await this.browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(20_000);
    this.contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${this.shop.edgeUrl}/sign-in?next=%2Fadmin`);
    await signIn(page, account);
    await page.waitForURL('**/admin');
    return page;
  }

  async close(): Promise<void> {
    for (const context of this.contexts) await context.close();
  }
}
