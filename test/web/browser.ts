// Debian's Chromium driven by playwright-core (Playwright's own browser download is never used),
// with the checks every page of the web app gets in the browser tests: an axe-core audit (no
// serious or critical violation) and a screenshot kept in test/web/screenshots/ (git-ignored).
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

const axeSource: string = createRequire(import.meta.url)('axe-core').source;
export const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));

export async function launchChromium(): Promise<Browser> {
  await mkdir(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
    headless: true,
    // As root in a container without user namespaces Chromium's sandbox cannot start. No GPU, no
    // QUIC, and nothing that calls out (first-run, component updates, sync, background requests):
    // the machine reaches no such servers and a hanging call would only slow the suite. Playwright
    // passes several of these itself; naming them here keeps them if its defaults change. Each launch
    // gets a fresh profile in a temporary --user-data-dir that Playwright makes and removes.
    args: [
      '--no-sandbox',
      '--disable-dev-shm-usage',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * axe-core's WCAG 2 A/AA rules on the page as it is now. The page's Content-Security-Policy forbids
 * inline scripts, so axe is evaluated through the DevTools protocol rather than injected as a tag.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  // A string, run in the page (this file is type-checked for Node, without the DOM's globals).
  const violations = (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa'] } }).then((r) => r.violations)`,
  )) as AxeViolation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** What sticks out of the viewport (tag.class and width): nothing may make a phone scroll sideways. */
export const overflowsSideways = async (page: Page) =>
  (await page.evaluate(`[...document.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
    .map((e) => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') + ' ' + Math.round(e.getBoundingClientRect().right))
    .slice(0, 10)`)) as string[];

export const describeViolations = (violations: AxeViolation[]) =>
  violations
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`)
    .join('\n');
