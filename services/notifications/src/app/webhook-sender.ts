// Sends due webhook deliveries: signs each attempt per Standard Webhooks (the `standardwebhooks`
// library, with every secret that currently signs, so a rotation overlaps), POSTs it through the SSRF
// guard, and records the outcome. Failures retry with exponential backoff and jitter for more than a
// day, then the delivery is failed (and can be replayed). An endpoint that answers 410, or has failed
// for longer than the disable window, is disabled and its owner is told by email.
import { type Logger, type Pool, type Sealer, withTransaction } from '@shopstack/kit';
import { Webhook } from 'standardwebhooks';
import { postWebhook, type WebhookResponse } from '../adapters/webhook-http.js';
import {
  claimDueWebhooks,
  disableEndpoint,
  findEndpoint,
  markEndpointFailing,
  markEndpointHealthy,
  recordAttempt,
  signingSecrets,
  type WebhookDelivery,
} from '../adapters/webhooks-repository.js';
import { isExhausted, type RetryPolicy, retryDelayMs } from '../domain/retry.js';
import type { TargetPolicy } from '../domain/target-policy.js';
import { failedTooLong, outcomeOf, webhookBody } from '../domain/webhooks.js';
import { notify } from './intake.js';
import { noWebhookMetrics, type WebhookMetrics } from './metrics.js';

export interface WebhookSenderOptions {
  pool: Pool;
  logger: Logger;
  targets: TargetPolicy;
  sealer: Sealer | undefined;
  retry: RetryPolicy;
  timeoutMs: number;
  disableAfterMs: number;
  intervalMs: number;
  batch: number;
  /** Called after an owner notice was queued, so the email goes out without waiting for a poll. */
  onOwnerNotified: () => void;
  metrics?: WebhookMetrics;
}

/** The three Standard Webhooks headers for one attempt, signed with every current secret. */
export function signedHeaders(
  secrets: readonly string[],
  messageId: string,
  at: Date,
  body: string,
): Record<string, string> {
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(messageId, at, body)).join(' '),
  };
}

export class WebhookSender {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private running: Promise<void> | undefined;
  private again = false;

  constructor(private readonly options: WebhookSenderOptions) {}

  start(): void {
    const loop = () => {
      if (this.stopped) return;
      this.wake();
      this.timer = setTimeout(loop, this.options.intervalMs);
    };
    loop();
  }

  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((error) => this.options.logger.warn({ err: error }, 'webhook dispatch failed'))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    // The lease outlasts an attempt's timeout, so a slow receiver is never sent the same attempt twice.
    const leaseMs = this.options.timeoutMs * 2 + 5_000;
    while (!this.stopped) {
      const due = await claimDueWebhooks(this.options.pool, this.options.batch, leaseMs);
      if (due.length === 0) return;
      await Promise.all(due.map((delivery) => this.deliver(delivery)));
      if (due.length < this.options.batch) return;
    }
  }

  private async deliver(delivery: WebhookDelivery): Promise<void> {
    const { pool, logger } = this.options;
    const endpoint = await findEndpoint(pool, delivery.endpointId);
    if (!endpoint) return; // deleted meanwhile; its deliveries went with it
    const secrets = await signingSecrets(pool, endpoint.id, this.options.sealer);
    const body = webhookBody(delivery.eventType, delivery.createdAt, delivery.payload);
    const headers = signedHeaders(secrets, delivery.id, new Date(), body);
    const response = await postWebhook(
      this.options.targets,
      endpoint.url,
      headers,
      body,
      this.options.timeoutMs,
    );
    const outcome = outcomeOf(response.statusCode);
    const metrics = this.options.metrics ?? noWebhookMetrics;
    metrics.attempt(response.statusCode);
    // Counted once the transaction committed: a rollback retries the delivery, it did not end.
    const ended = await withTransaction(pool, async (client) => {
      if (outcome === 'delivered') {
        await recordAttempt(client, delivery, response, { status: 'delivered' });
        await markEndpointHealthy(client, endpoint.id);
        return { finished: 'delivered' as const };
      }
      const exhausted = isExhausted(this.options.retry, delivery.attempts);
      await recordAttempt(client, delivery, withReason(response), {
        status: exhausted ? 'failed' : 'pending',
        retryInMs: exhausted ? undefined : retryDelayMs(this.options.retry, delivery.attempts),
      });
      const finished = exhausted ? ('failed' as const) : undefined;
      const failingSince = await markEndpointFailing(client, endpoint.id);
      const reason =
        outcome === 'gone'
          ? 'the receiver answered 410 Gone'
          : failedTooLong(failingSince, new Date(), this.options.disableAfterMs)
            ? `every delivery has failed since ${failingSince.toISOString()}`
            : undefined;
      if (!reason) return { finished };
      const disabled = await disableEndpoint(client, endpoint.id, reason);
      if (!disabled) return { finished };
      logger.warn({ endpointId: endpoint.id, reason }, 'webhook endpoint disabled');
      await notify(client, {
        sourceId: `webhook-endpoint-disabled:${endpoint.id}:${disabled.disabledAt?.getTime()}`,
        userId: endpoint.ownerId,
        template: 'webhook_disabled',
        variables: { url: endpoint.url, reason },
      });
      setTimeout(() => this.options.onOwnerNotified(), 20).unref();
      return { finished, disabled: outcome === 'gone' ? ('gone' as const) : ('failing' as const) };
    });
    if (ended.finished) metrics.finished(ended.finished);
    if (ended.disabled) metrics.disabled(ended.disabled);
  }
}

const withReason = (r: WebhookResponse): WebhookResponse =>
  r.error || r.statusCode === undefined ? r : { ...r, error: `answered ${r.statusCode}` };
