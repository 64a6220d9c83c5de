// Every dashboard the platform ships, by file name under observability/grafana/dashboards/.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { ledgerDashboard, sagaDashboard } from './flows.js';
import { edgeDashboard, operatorDashboard, overviewDashboard } from './platform.js';
import { serviceDashboards } from './services.js';

export function allDashboards(): Dashboard[] {
  return [
    overviewDashboard(),
    ...serviceDashboards(),
    sagaDashboard(),
    ledgerDashboard(),
    edgeDashboard(),
    operatorDashboard(),
  ];
}

/** File name → JSON text, as committed (and as the operator puts them in Grafana's ConfigMap). */
export function renderDashboardFiles(): Record<string, string> {
  return Object.fromEntries(allDashboards().map((d) => [`${d.uid}.json`, `${JSON.stringify(d, null, 2)}\n`]));
}
