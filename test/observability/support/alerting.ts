// A private Prometheus and Alertmanager for alert tests, on free ports, with the platform's real rule
// files. Only the waiting is shortened (test-only settings): every rule's `for:` becomes `forSeconds`,
// scrapes and evaluations run each second and Alertmanager groups for a second, so an alert goes
// pending → firing → notified within seconds instead of minutes.
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@shopstack/kit/testing';
import { parse, stringify } from 'yaml';
import { infraEnv } from '../../support/env.js';
import { eventually, start } from '../../support/process.js';

const rulesDir = fileURLToPath(new URL('../../../observability/prometheus/rules/', import.meta.url));

/** What Alertmanager's webhook receiver POSTs (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config). */
export interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface PrometheusAlert {
  state: 'pending' | 'firing';
  labels: Record<string, string>;
}

export interface AlertingStack {
  prometheusUrl: string;
  alertmanagerUrl: string;
  /** Every alert the webhook receiver got, in order of arrival. */
  received: WebhookAlert[];
  /** Alerts Prometheus currently holds (pending or firing). */
  prometheusAlerts(): Promise<PrometheusAlert[]>;
  stop(): Promise<void>;
}

/** The platform's rules with every `for:` shortened, one file per rule file. */
async function shortenedRules(dir: string, forSeconds: number): Promise<void> {
  for (const file of (await readdir(rulesDir)).filter((f) => f.endsWith('.yml'))) {
    const rules = parse(await readFile(path.join(rulesDir, file), 'utf8'));
    for (const group of rules.groups) {
      group.interval = '1s';
      for (const rule of group.rules) if (rule.for) rule.for = `${forSeconds}s`;
    }
    await writeFile(path.join(dir, file), stringify(rules));
  }
}

export async function startAlertingStack(options: {
  /** Scrape targets: address and the labels npm start gives them (e.g. service: payments). */
  targets: { address: string; labels: Record<string, string> }[];
  forSeconds: number;
}): Promise<AlertingStack> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'alerting-'));
  const received: WebhookAlert[] = [];
  const webhook: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      for (const alert of (JSON.parse(body) as { alerts: WebhookAlert[] }).alerts) received.push(alert);
      res.end();
    });
  });
  webhook.listen(0, '127.0.0.1');
  await once(webhook, 'listening');
  const webhookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/alerts`;

  const [amPort, promPort] = await Promise.all([freePort(), freePort()]);
  await mkdir(path.join(dir, 'rules'));
  await shortenedRules(path.join(dir, 'rules'), options.forSeconds);
  await writeFile(
    path.join(dir, 'alertmanager.yml'),
    stringify({
      route: {
        receiver: 'test',
        group_by: ['alertname', 'service'],
        group_wait: '1s',
        group_interval: '1s',
        repeat_interval: '1h',
      },
      receivers: [{ name: 'test', webhook_configs: [{ url: webhookUrl, send_resolved: true }] }],
    }),
  );
  await writeFile(
    path.join(dir, 'prometheus.yml'),
    stringify({
      global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
      rule_files: [path.join(dir, 'rules/*.yml')],
      alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${amPort}`] }] }] },
      scrape_configs: [
        {
          job_name: 'shopstack',
          honor_labels: true,
          static_configs: options.targets.map((t) => ({ targets: [t.address], labels: t.labels })),
        },
      ],
    }),
  );
  const alertmanager = start(infraEnv('ALERTMANAGER_BIN'), [
    `--config.file=${path.join(dir, 'alertmanager.yml')}`,
    `--storage.path=${path.join(dir, 'am-data')}`,
    `--web.listen-address=127.0.0.1:${amPort}`,
    '--cluster.listen-address=',
  ]);
  const prometheus = start(infraEnv('PROMETHEUS_BIN'), [
    `--config.file=${path.join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${path.join(dir, 'prom-data')}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
    // Resolved alerts are re-sent at this pace; the default (1m) would slow the resolved notification.
    '--rules.alert.resend-delay=1s',
  ]);
  const stack: AlertingStack = {
    prometheusUrl: `http://127.0.0.1:${promPort}`,
    alertmanagerUrl: `http://127.0.0.1:${amPort}`,
    received,
    async prometheusAlerts() {
      const body = (await (await fetch(`${stack.prometheusUrl}/api/v1/alerts`)).json()) as {
        data: { alerts: PrometheusAlert[] };
      };
      return body.data.alerts;
    },
    async stop() {
      prometheus.kill('SIGTERM');
      alertmanager.kill('SIGTERM');
      await Promise.all(
        [prometheus, alertmanager].map((p) => (p.exitCode === null ? once(p, 'exit') : undefined)),
      );
      webhook.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await eventually(async () => (await fetch(`${stack.alertmanagerUrl}/-/ready`)).ok, 30_000);
    await eventually(async () => (await fetch(`${stack.prometheusUrl}/-/ready`)).ok, 30_000);
  } catch (error) {
    await stack.stop();
    throw new Error(
      `${error}\nprometheus:\n${prometheus.output().slice(-2000)}\nalertmanager:\n${alertmanager.output().slice(-2000)}`,
    );
  }
  return stack;
}
