// Grafana dashboards and Prometheus rules shipped with the operator (observability/grafana/dashboards
// and observability/prometheus/rules in the repository, copied into the image). Read once at start;
// a missing folder means none, not an error, and a file that does not parse stops the start.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Dashboards, RuleFiles } from '../render/index.js';

function loadFiles(dir: string, extension: string, check: (text: string) => unknown) {
  if (!existsSync(dir)) return {};
  const files: Record<string, string> = {};
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(extension))
    .sort()) {
    const text = readFileSync(join(dir, file), 'utf8');
    check(text);
    files[file] = text;
  }
  return files;
}

export const loadDashboards = (dir: string): Dashboards => loadFiles(dir, '.json', JSON.parse);
export const loadRules = (dir: string): RuleFiles => loadFiles(dir, '.yml', parse);
