import assert from 'node:assert/strict';
import { infraEnv } from '../support/env.js';
import { loadDashboards, panelQueries } from './dashboards.js';

/** Grafana provisions the Prometheus datasource with this uid (see operator/src/render/grafana.ts). */
const DATASOURCE_UID = 'prometheus';

describe('Grafana dashboards', () => {
  const dashboards = loadDashboards();

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
      for (const panel of dashboard.panels) {
        assert.equal(panel.datasource?.uid, DATASOURCE_UID, `${file}: panel "${panel.title}"`);
        assert.ok(panel.targets?.length, `${file}: panel "${panel.title}" has no query`);
        for (const target of panel.targets ?? []) {
          assert.ok(target.expr.trim(), `${file}: panel "${panel.title}" has an empty query`);
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
