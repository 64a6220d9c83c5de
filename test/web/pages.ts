// What the browser suite does on every page: the audit and screenshot, signing in, the two menus,
// and the API calls it makes through the edge beside the browser.
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describeViolations, overflowsSideways, SCREENSHOTS, seriousViolations } from './browser.js';

const PHONE = { width: 390, height: 844 };

/** Screenshot and axe audit of the page as it is; both widths when `phone` is asked for. */
export async function check(target: Page, name: string, options: { phone?: boolean } = {}) {
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

export async function signIn(target: Page, account: { email: string; password: string }) {
  await target.getByLabel('Email').fill(account.email);
  await target.getByLabel('Password').fill(account.password);
  await target.getByRole('button', { name: 'Sign in' }).click();
}

/** A link of the main menu (pages have links of the same name in their text too). */
export const menu = (target: Page, name: string) =>
  target.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

/** The console's own menu. */
export const consoleMenu = (target: Page, name: string) =>
  target.getByRole('navigation', { name: 'Console' }).getByRole('link', { name, exact: true });

/** A JSON call through the edge, as the suite makes them beside the browser. */
export function edgeApi(edgeUrl: string) {
  return async (method: string, url: string, token?: string, body?: unknown) => {
    const response = await fetch(`${edgeUrl}${url}`, {
      method,
      headers: {
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
}
