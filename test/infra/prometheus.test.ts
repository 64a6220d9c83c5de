import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { infraEnv } from '../support/env.js';
import { eventually, run } from '../support/process.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('infrastructure: Prometheus and promtool', () => {
  const promtool = infraEnv('PROMTOOL_BIN');

  it('accepts the platform rule files and their unit tests', async () => {
    const rules = path.join(repoRoot, 'observability/prometheus/rules');
    const checked = await run('bash', ['-c', `"${promtool}" check rules "${rules}"/*.yml`]);
    assert.equal(checked.code, 0, checked.stdout + checked.stderr);
    const tests = path.join(repoRoot, 'observability/prometheus/tests');
    const tested = await run('bash', ['-c', `"${promtool}" test rules "${tests}"/*.test.yml`]);
    assert.equal(tested.code, 0, tested.stdout + tested.stderr);
  });

  it('has a unit test in which every alert rule fires', async () => {
    const read = async (dir: string) => {
      const folder = path.join(repoRoot, 'observability/prometheus', dir);
      const files = (await readdir(folder)).filter((file) => file.endsWith('.yml'));
      return Promise.all(files.map(async (file) => parse(await readFile(path.join(folder, file), 'utf8'))));
    };
    const alerts = (await read('rules')).flatMap((file) =>
      file.groups.flatMap((group: { rules: { alert?: string }[] }) =>
        group.rules.flatMap((rule) => (rule.alert ? [rule.alert] : [])),
      ),
    );
    const firing = new Set(
      (await read('tests')).flatMap((file) =>
        file.tests.flatMap((test: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }) =>
          (test.alert_rule_test ?? []).filter((t) => t.exp_alerts.length > 0).map((t) => t.alertname),
        ),
      ),
    );
    assert.ok(alerts.length >= 10, `only ${alerts.length} alert rules found`);
    assert.deepEqual(
      alerts.filter((alert) => !firing.has(alert)),
      [],
      'alerts without a promtool case that fires them',
    );
  });

  it('rejects a rule file with a broken expression', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rules-'));
    try {
      const file = path.join(dir, 'broken.yml');
      await writeFile(
        file,
        'groups:\n  - name: g\n    rules:\n      - alert: Broken\n        expr: rate(up[5m]\n',
      );
      const checked = await run(promtool, ['check', 'rules', file]);
      assert.notEqual(checked.code, 0);
      assert.match(checked.stdout + checked.stderr, /unclosed left parenthesis|parse error/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('scrapes itself and answers a PromQL query', async () => {
    const base = infraEnv('PROMETHEUS_URL');
    const value = await eventually(async () => {
      const response = await fetch(
        `${base}/api/v1/query?query=${encodeURIComponent('up{job="prometheus"}')}`,
      );
      const body = (await response.json()) as { data: { result: { value: [number, string] }[] } };
      return body.data.result[0]?.value[1];
    }, 30_000);
    assert.equal(value, '1');
  });
});
