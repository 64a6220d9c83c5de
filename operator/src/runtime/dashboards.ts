// Grafana dashboards shipped with the operator (observability/grafana/dashboards in the repository,
// copied into the image). Read once at start; a missing folder means no dashboards, not an error.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dashboards } from '../render/index.js';

export function loadDashboards(dir: string): Dashboards {
  if (!existsSync(dir)) return {};
  const dashboards: Dashboards = {};
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const text = readFileSync(join(dir, file), 'utf8');
    JSON.parse(text); // a broken dashboard should stop the start, not reach Grafana
    dashboards[file] = text;
  }
  return dashboards;
}
