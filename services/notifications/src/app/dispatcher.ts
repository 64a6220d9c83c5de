// Sends what is due, channel by channel, at each provider's pace. The deliveries table is the queue:
// a slow or failing provider only makes it longer (backpressure, not loss), and it drains at the
// provider's rate once the provider recovers. Each channel has its own opossum breaker (an open breaker
// stops claiming, so a dead provider is not hammered) and its own rate (Bottleneck).
import { type Breaker, createBreaker, type Logger, type Pool, type ServiceMetrics } from '@shopstack/kit';
import Bottleneck from 'bottleneck';
import {
  claimDue,
  type Delivery,
  markDead,
  markRetry,
  markSent,
  releaseClaim,
  setRecipient,
} from '../adapters/deliveries-repository.js';
import type { UnsubscribeTokens } from '../adapters/unsubscribe-tokens.js';
import { type Channel, isTransactional } from '../domain/preferences.js';
import { isExhausted, type RetryPolicy, retryDelayMs } from '../domain/retry.js';
import { htmlDocument, renderTemplate } from '../domain/templates.js';
import type { NotificationsMetrics } from './metrics.js';
import type { Directory, EmailProvider, ShortMessageProvider } from './ports.js';

export interface ChannelProvider {
  channel: Channel;
  /** Sends per second. */
  ratePerSecond: number;
  email?: EmailProvider;
  short?: ShortMessageProvider;
}

export interface DispatcherOptions {
  pool: Pool;
  logger: Logger;
  metrics: ServiceMetrics;
  counters: NotificationsMetrics;
  providers: ChannelProvider[];
  directory: Directory;
  tokens: UnsubscribeTokens;
  publicUrl: string;
  mailDomain: string;
  retry: RetryPolicy;
  intervalMs: number;
  batch: number;
  leaseMs: number;
  breakerResetMs: number;
}

/** A refusal that no retry can fix (e.g. SMTP 5xx "no such mailbox"). */
class PermanentFailure extends Error {}

interface Lane {
  provider: ChannelProvider;
  breaker: Breaker;
  limiter: Bottleneck;
  running: boolean;
  again: boolean;
}

export class Dispatcher {
  private readonly lanes: Lane[];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: DispatcherOptions) {
    this.lanes = options.providers.map((provider) => ({
      provider,
      breaker: createBreaker(`${provider.channel}-provider`, options.metrics, {
        resetTimeoutMs: options.breakerResetMs,
        volumeThreshold: 5,
      }),
      limiter: new Bottleneck({ minTime: Math.ceil(1000 / provider.ratePerSecond), maxConcurrent: 10 }),
      running: false,
      again: false,
    }));
  }

  start(): void {
    const loop = () => {
      if (this.stopped) return;
      this.wake();
      this.timer = setTimeout(loop, this.options.intervalMs);
    };
    loop();
  }

  /** Look for due deliveries now (after new ones were stored). */
  wake(): void {
    for (const lane of this.lanes) this.runLane(lane);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    for (const lane of this.lanes) await lane.limiter.stop({ dropWaitingJobs: false }).catch(() => {});
  }

  private runLane(lane: Lane): void {
    if (this.stopped) return;
    if (lane.running) {
      lane.again = true;
      return;
    }
    lane.running = true;
    const run = this.drain(lane)
      .catch((error) =>
        this.options.logger.warn({ err: error, channel: lane.provider.channel }, 'dispatch failed'),
      )
      .finally(() => {
        lane.running = false;
        this.inFlight.delete(run);
        if (lane.again && !this.stopped) {
          lane.again = false;
          this.runLane(lane);
        }
      });
    this.inFlight.add(run);
  }

  private async drain(lane: Lane): Promise<void> {
    // A batch never waits in the limiter longer than half its lease, or it would be claimed twice.
    const limit = Math.max(
      1,
      Math.min(this.options.batch, Math.floor((lane.provider.ratePerSecond * this.options.leaseMs) / 2000)),
    );
    while (!this.stopped) {
      // Open breaker: the provider is down; leave the backlog where it is until the trial call.
      if (lane.breaker.opened) return;
      const due = await claimDue(this.options.pool, lane.provider.channel, limit, this.options.leaseMs);
      if (due.length === 0) return;
      await Promise.all(due.map((delivery) => this.deliver(lane, delivery)));
      if (due.length < limit) return;
    }
  }

  private async deliver(lane: Lane, delivery: Delivery): Promise<void> {
    const { pool, counters, logger } = this.options;
    const channel = delivery.channel;
    try {
      const recipient = await this.recipientOf(delivery);
      if (!recipient) {
        await markDead(pool, delivery.id, 'the recipient has no address on this channel');
        counters.send(channel, 'dead');
        return;
      }
      const providerId = await lane.limiter.schedule(() =>
        lane.breaker.fire(() => this.send(lane.provider, delivery, recipient)),
      );
      await markSent(pool, delivery.id, String(providerId));
      counters.send(channel, 'sent');
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      if ((error as { code?: string }).code === 'EOPENBREAKER') {
        await releaseClaim(pool, delivery.id, this.options.breakerResetMs);
        counters.send(channel, 'deferred');
      } else if (error instanceof PermanentFailure || isExhausted(this.options.retry, delivery.attempts)) {
        logger.warn({ deliveryId: delivery.id, channel, err: error }, 'delivery dead-lettered');
        await markDead(pool, delivery.id, message);
        counters.send(channel, 'dead');
      } else {
        await markRetry(pool, delivery.id, retryDelayMs(this.options.retry, delivery.attempts), message);
        counters.send(channel, 'retry');
      }
    }
  }

  private async recipientOf(delivery: Delivery): Promise<string | undefined> {
    if (delivery.recipient) return delivery.recipient;
    if (!delivery.userId) return undefined;
    const contact = await this.options.directory.contactOf(delivery.userId);
    const address =
      delivery.channel === 'email'
        ? contact?.email
        : delivery.channel === 'sms'
          ? contact?.phone
          : delivery.userId;
    if (address) await setRecipient(this.options.pool, delivery.id, address);
    return address;
  }

  private async send(provider: ChannelProvider, delivery: Delivery, to: string): Promise<string> {
    const rendered = renderTemplate(delivery.template, delivery.variables, delivery.locale);
    const messageId = `<${delivery.id}@${this.options.mailDomain}>`;
    if (provider.email) {
      const scope = isTransactional(delivery.category) ? 'all_optional' : delivery.category;
      const token = delivery.userId ? await this.options.tokens.sign(delivery.userId, scope) : '';
      const unsubscribeUrl = `${this.options.publicUrl.replace(/\/$/, '')}/api/notifications/unsubscribe?token=${token}`;
      try {
        return await provider.email.send({
          messageId,
          to,
          subject: rendered.subject,
          text: `${rendered.text}\n\n--\n${unsubscribeUrl}\n`,
          html: htmlDocument(rendered.html, unsubscribeUrl, delivery.locale),
          unsubscribeUrl,
        });
      } catch (error) {
        const code = (error as { responseCode?: number }).responseCode;
        if (code !== undefined && code >= 500 && code < 600)
          throw new PermanentFailure((error as Error).message);
        throw error;
      }
    }
    if (provider.short) return provider.short.send({ messageId: delivery.id, to, text: rendered.short });
    throw new PermanentFailure(`no provider for ${delivery.channel}`);
  }
}
