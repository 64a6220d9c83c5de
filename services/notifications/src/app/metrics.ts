// The notifications service's own metrics, beside the kit's in the same registry. The backlog gauges
// are read from the deliveries table at scrape time, so every replica reports the same truth.
import type { Pool, ServiceMetrics } from '@shopstack/kit';
import { Counter, Gauge } from 'prom-client';
import { backlog } from '../adapters/deliveries-repository.js';
import { CHANNELS } from '../domain/preferences.js';

export type SendOutcome = 'sent' | 'retry' | 'dead' | 'deferred';

export interface NotificationsMetrics {
  send(channel: string, outcome: SendOutcome): void;
}

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
  return { send: (channel, outcome) => sends.inc({ channel, outcome }) };
}

export const noMetrics: NotificationsMetrics = { send: () => {} };
