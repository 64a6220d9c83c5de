// The notifications service's own metrics, beside the kit's in the same registry. The backlog gauges
// and the failing webhook endpoints are read from the tables at scrape time, so every replica reports
// the same truth; the counters count what this replica did. Every label value a counter can take is
// set to 0 at start, so a rate reads 0 (not "no data") before the first event.
import type { Pool, ServiceMetrics } from '@shopstack/kit';
import { Counter, Gauge } from 'prom-client';
import { backlog } from '../adapters/deliveries-repository.js';
import { failingEndpoints } from '../adapters/webhooks-repository.js';
import { CHANNELS } from '../domain/preferences.js';

export type SendOutcome = 'sent' | 'retry' | 'dead' | 'deferred';

export interface NotificationsMetrics {
  send(channel: string, outcome: SendOutcome): void;
  webhooks: WebhookMetrics;
}

/** A webhook attempt's answer, as a class: 2xx, 4xx, 5xx, or none (unreachable, timed out, refused). */
export const ATTEMPT_RESULTS = ['2xx', '3xx', '4xx', '5xx', 'no_response'] as const;

export interface WebhookMetrics {
  /** One POST to an endpoint, by what it answered. */
  attempt(statusCode: number | undefined): void;
  /** A delivery ended: delivered, or failed once its retries were exhausted. */
  finished(outcome: 'delivered' | 'failed'): void;
  /** An endpoint was disabled: it answered 410, or every delivery failed for the disable window. */
  disabled(reason: 'gone' | 'failing'): void;
}

export const attemptResult = (statusCode: number | undefined): (typeof ATTEMPT_RESULTS)[number] =>
  statusCode === undefined || statusCode < 200 || statusCode >= 600
    ? 'no_response'
    : (`${Math.floor(statusCode / 100)}xx` as (typeof ATTEMPT_RESULTS)[number]);

export function createNotificationsMetrics(metrics: ServiceMetrics, pool: Pool): NotificationsMetrics {
  const sends = new Counter({
    name: 'notifications_send_attempts_total',
    help: 'Delivery attempts by channel and outcome (deferred = provider refused before trying)',
    labelNames: ['channel', 'outcome'] as const,
    registers: [metrics.registry],
  });
  const pending = new Gauge({
    name: 'notifications_backlog_pending',
    help: 'Deliveries waiting to be sent, by channel',
    labelNames: ['channel'] as const,
    registers: [metrics.registry],
  });
  new Gauge({
    name: 'notifications_backlog_oldest_seconds',
    help: 'Age of the oldest delivery still waiting, by channel',
    labelNames: ['channel'] as const,
    registers: [metrics.registry],
    async collect() {
      const rows = await backlog(pool).catch(() => []);
      for (const channel of CHANNELS) {
        const row = rows.find((r) => r.channel === channel);
        this.set({ channel }, row?.oldestSeconds ?? 0);
        pending.set({ channel }, row?.pending ?? 0);
      }
    },
  });
  return {
    send: (channel, outcome) => sends.inc({ channel, outcome }),
    webhooks: webhookMetrics(metrics, pool),
  };
}

function webhookMetrics(metrics: ServiceMetrics, pool: Pool): WebhookMetrics {
  const registers = [metrics.registry];
  const attempts = new Counter({
    name: 'notifications_webhook_attempts_total',
    help: 'Webhook POSTs by what the endpoint answered (no_response: unreachable, timed out or refused by the target policy)',
    labelNames: ['result'] as const,
    registers,
  });
  const deliveries = new Counter({
    name: 'notifications_webhook_deliveries_total',
    help: 'Webhook deliveries that ended: delivered, or failed after their last retry',
    labelNames: ['outcome'] as const,
    registers,
  });
  const disabled = new Counter({
    name: 'notifications_webhook_endpoints_disabled_total',
    help: 'Webhook endpoints disabled automatically: gone (answered 410) or failing (every delivery failed for the disable window)',
    labelNames: ['reason'] as const,
    registers,
  });
  for (const result of ATTEMPT_RESULTS) attempts.inc({ result }, 0);
  for (const outcome of ['delivered', 'failed']) deliveries.inc({ outcome }, 0);
  for (const reason of ['gone', 'failing']) disabled.inc({ reason }, 0);
  const oldest = new Gauge({
    name: 'notifications_webhook_endpoint_failing_oldest_seconds',
    help: 'How long the enabled webhook endpoint failing longest has failed every delivery (0 when none fails)',
    registers,
  });
  new Gauge({
    name: 'notifications_webhook_endpoints_failing',
    help: 'Enabled webhook endpoints whose deliveries have all failed since their last success',
    registers,
    async collect() {
      const failing = await failingEndpoints(pool).catch(() => ({ count: 0, oldestSeconds: 0 }));
      this.set(failing.count);
      oldest.set(failing.oldestSeconds);
    },
  });
  return {
    attempt: (statusCode) => attempts.inc({ result: attemptResult(statusCode) }),
    finished: (outcome) => deliveries.inc({ outcome }),
    disabled: (reason) => disabled.inc({ reason }),
  };
}

export const noWebhookMetrics: WebhookMetrics = { attempt: () => {}, finished: () => {}, disabled: () => {} };
export const noMetrics: NotificationsMetrics = { send: () => {}, webhooks: noWebhookMetrics };
