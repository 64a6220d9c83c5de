import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { infraEnv, uniqueName } from '../support/env.js';
import { eventually } from '../support/process.js';
import { startTestUsers, type TestUsers } from '../support/users.js';
import { panelQueries } from './dashboards.js';

async function query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const response = await fetch(
    `${infraEnv('PROMETHEUS_URL')}/api/v1/query?query=${encodeURIComponent(expr)}`,
  );
  const body = (await response.json()) as { status: string; data: { result: [] } };
  assert.equal(body.status, 'success');
  return body.data.result;
}

describe('dashboards against a real Prometheus scraping a real service', function () {
  this.timeout(120_000);
  let users: TestUsers;
  let targetFile: string;
  const instance = uniqueName('scraped');

  before(async () => {
    users = await startTestUsers('scraped');
    // Prometheus discovers scrape targets from files in this folder (file_sd), as npm start registers services.
    targetFile = path.join(infraEnv('PROMETHEUS_TARGETS_DIR'), `${instance}.json`);
    const target = new URL(users.service.httpUrl).host;
    await writeFile(targetFile, JSON.stringify([{ targets: [target], labels: { instance } }]));
    for (let i = 0; i < 5; i++) await fetch(`${users.service.httpUrl}/.well-known/jwks.json`);
  });

  after(async () => {
    await rm(targetFile, { force: true });
    await users?.close();
  });

  it('scrapes the service with its service label, and the overview panels show it', async () => {
    await eventually(async () => (await query(`up{instance="${instance}"}`))[0]?.value[1] === '1', 60_000);
    // Two scrapes are needed before rate() has something to say.
    await eventually(
      async () =>
        (await query(`sum(rate(http_server_requests_total{instance="${instance}"}[1m])) > 0`)).length > 0,
      60_000,
    );
    const overview = panelQueries().filter((q) => q.dashboard === 'shopstack-overview');
    for (const title of ['HTTP requests per second', 'Resident memory', 'Event loop lag p99']) {
      const panel = overview.find((q) => q.panel === title);
      assert.ok(panel, `no panel "${title}"`);
      const series = await query(panel.expr);
      assert.ok(
        series.some((s) => s.metric.service === 'users'),
        `panel "${title}" shows no users series: ${JSON.stringify(series)}`,
      );
    }
  });
});
