import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { renderDashboardFiles } from '@shopstack/observability/dashboards';
import { infraEnv } from '../support/env.js';
import { dashboardsDir, dataPanels, loadDashboards, panelQueries } from './dashboards.js';

/** Grafana provisions the Prometheus datasource with this uid (see operator/src/render/grafana.ts). */
const DATASOURCE_UID = 'prometheus';

describe('Grafana dashboards', () => {
  const dashboards = loadDashboards();

  it('are the generator’s output, unedited (observability/src/dashboards)', () => {
    const generated = renderDashboardFiles();
    const committed = readdirSync(dashboardsDir).filter((f) => f.endsWith('.json'));
    assert.deepEqual(
      committed.sort(),
      Object.keys(generated).sort(),
      'run `npm run dashboards -w @shopstack/observability`',
    );
    for (const [file, text] of Object.entries(generated)) {
      assert.equal(
        readFileSync(path.join(dashboardsDir, file), 'utf8'),
        text,
        `${file} differs from the generator's output: run \`npm run dashboards -w @shopstack/observability\``,
      );
    }
  });

  it('cover every service, the checkout saga, the ledger, the edge and the operator', () => {
    assert.deepEqual(
      dashboards.map(({ dashboard }) => dashboard.uid),
      [
        'catalog',
        'checkout-saga',
        'edge',
        'ledger',
        'notifications',
        'operator',
        'orders',
        'overview',
        'payments',
        'ratelimit',
        'users',
      ].map((name) => `shopstack-${name}`),
    );
  });

  it('exist, with unique uids and unique panel ids', () => {
    assert.ok(dashboards.length > 0, 'no dashboard in observability/grafana/dashboards');
    const uids = dashboards.map(({ dashboard }) => dashboard.uid);
    assert.equal(new Set(uids).size, uids.length, `duplicate uid among ${uids.join(', ')}`);
    for (const { file, dashboard } of dashboards) {
      const ids = dashboard.panels.map((panel) => panel.id);
      assert.equal(new Set(ids).size, ids.length, `${file}: duplicate panel id`);
    }
  });

  it('query only the provisioned Prometheus datasource, every panel with a query', () => {
    for (const { file, dashboard } of dashboards) {
      for (const panel of dataPanels(dashboard)) {
        assert.equal(panel.datasource?.uid, DATASOURCE_UID, `${file}: panel "${panel.title}"`);
        assert.ok(panel.targets?.length, `${file}: panel "${panel.title}" has no query`);
        for (const target of panel.targets ?? []) {
          assert.ok(target.expr.trim(), `${file}: panel "${panel.title}" has an empty query`);
          assert.equal(target.datasource?.uid, DATASOURCE_UID, `${file}: a query of "${panel.title}"`);
        }
      }
    }
  });

  it('have queries that a real Prometheus accepts', async () => {
    const base = infraEnv('PROMETHEUS_URL');
    for (const query of panelQueries()) {
      const response = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(query.expr)}`);
      const body = (await response.json()) as { status: string; error?: string };
      assert.equal(
        body.status,
        'success',
        `${query.dashboard} / ${query.panel}: ${body.error}\n${query.expr}`,
      );
    }
  });

  it('would notice a broken query (the check above is not vacuous)', async () => {
    const base = infraEnv('PROMETHEUS_URL');
    const response = await fetch(
      `${base}/api/v1/query?query=${encodeURIComponent('sum by (service) (rate(x[1m])')}`,
    );
    assert.equal(response.status, 400);
  });
});
