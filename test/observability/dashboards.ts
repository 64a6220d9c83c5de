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

interface Dashboard {
  uid: string;
  title: string;
  panels: {
    id: number;
    title: string;
    datasource?: { uid: string };
    targets?: { expr: string; datasource?: { uid: string } }[];
  }[];
}

export function loadDashboards(): { file: string; dashboard: Dashboard }[] {
  return readdirSync(dashboardsDir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => ({
      file,
      dashboard: JSON.parse(readFileSync(path.join(dashboardsDir, file), 'utf8')) as Dashboard,
    }));
}

/** Every PromQL expression of every panel, with Grafana's variables replaced as Grafana would. */
export function panelQueries(): PanelQuery[] {
  return loadDashboards().flatMap(({ dashboard }) =>
    dashboard.panels.flatMap((panel) =>
      (panel.targets ?? []).map((target) => ({
        dashboard: dashboard.uid,
        panel: panel.title,
        expr: target.expr.replaceAll('$__rate_interval', '1m').replaceAll('$service', '.*'),
      })),
    ),
  );
}
