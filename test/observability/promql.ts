// The metric names a PromQL expression reads, from Prometheus' own PromQL grammar (the one its web UI
// parses with), so a name is never mistaken for a function, a label or a keyword.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parser } from '@prometheus-io/lezer-promql';
import { parse } from 'yaml';

export function metricNames(expr: string): string[] {
  const names = new Set<string>();
  parser.parse(expr).iterate({
    enter(node) {
      if (node.name !== 'VectorSelector') return;
      const identifier = node.node.getChild('Identifier');
      if (identifier) names.add(expr.slice(identifier.from, identifier.to));
    },
  });
  return [...names];
}

const rulesDir = fileURLToPath(new URL('../../observability/prometheus/rules/', import.meta.url));

export interface Rule {
  file: string;
  name: string;
  expr: string;
  /** The series a recording rule writes (absent for alerts). */
  record?: string;
}

/** Every recording and alerting rule of observability/prometheus/rules. */
export function platformRules(): Rule[] {
  return readdirSync(rulesDir)
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .flatMap((file) =>
      (
        parse(readFileSync(`${rulesDir}/${file}`, 'utf8')) as {
          groups: { rules: { record?: string; alert?: string; expr: string }[] }[];
        }
      ).groups.flatMap((group) =>
        group.rules.map((rule) => ({
          file,
          name: rule.record ?? rule.alert ?? '?',
          expr: rule.expr,
          ...(rule.record ? { record: rule.record } : {}),
        })),
      ),
    );
}

/**
 * Metric names a scrape answer exposes: every sample's name and every `# TYPE` line's (a labelled
 * counter that never counted has no sample yet, but its TYPE line shows the name is real), with a
 * histogram's and a summary's series names.
 */
export function exposedNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const line of exposition.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type) {
      const [, name, kind] = type as unknown as [string, string, string];
      names.add(name);
      if (kind === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
      if (kind === 'summary') for (const s of ['_sum', '_count']) names.add(name + s);
    } else if (line && !line.startsWith('#')) {
      names.add(/^[^{ ]+/.exec(line)![0]);
    }
  }
  return names;
}
