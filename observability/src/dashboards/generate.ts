// Writes the dashboards to observability/grafana/dashboards/ (`npm run dashboards -w @shopstack/observability`).
// The JSON there is generated: edit the TypeScript, run this, commit both; a test fails when they differ.
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderDashboardFiles } from './index.js';

const dir = fileURLToPath(new URL('../../grafana/dashboards/', import.meta.url));
const files = renderDashboardFiles();
for (const old of readdirSync(dir).filter((f) => f.endsWith('.json') && !(f in files)))
  rmSync(join(dir, old));
for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
console.log(`wrote ${Object.keys(files).length} dashboards to ${dir}`);
