import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const dashboardsDir = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../observability/grafana/dashboards',
);

export interface PanelQuery {
  dashboard: string;
  panel: string;
  expr: string;
}

export interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  datasource?: { uid: string };
  targets?: { expr: string; datasource?: { uid: string } }[];
}

interface Dashboard {
  uid: string;
  title: string;
  panels: DashboardPanel[];
}

export function loadDashboards(): { file: string; dashboard: Dashboard }[] {
  return readdirSync(dashboardsDir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({
      file,
      dashboard: JSON.parse(readFileSync(path.join(dashboardsDir, file), 'utf8')) as Dashboard,
    }));
}

/** The panels that show data (rows only title a group of them). */
export const dataPanels = (dashboard: Dashboard) => dashboard.panels.filter((p) => p.type !== 'row');

/** Every PromQL expression of every panel, with Grafana's variables replaced as Grafana would. */
export function panelQueries(): PanelQuery[] {
  return loadDashboards().flatMap(({ dashboard }) =>
    dataPanels(dashboard).flatMap((panel) =>
      (panel.targets ?? []).map((target) => ({
        dashboard: dashboard.uid,
        panel: panel.title,
        expr: target.expr.replaceAll('$__rate_interval', '1m').replaceAll('$service', '.*'),
      })),
    ),
  );
}
