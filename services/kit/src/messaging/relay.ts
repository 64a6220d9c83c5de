// Publishes an outbox (see outbox-store.ts) to RabbitMQ, in order, with publisher confirms. A message
// is marked published only after the broker confirmed it, so nothing committed is lost. The store
// decides who publishes what: PostgreSQL's keeps one active relay per database (an advisory lock), a
// leased store lets replicas claim disjoint batches; either way no two relays publish a row at once.
//
// Delivery guarantee: a graceful stop finishes the batch in flight and marks everything it published
// (a store may mark a little later than the confirm, several batches in one write), so a restart
// publishes nothing twice. A hard crash between a confirm and its mark republishes at most that
// batch, with the same message ids, and consumers' inboxes drop the duplicates.
import { type Span, SpanStatusCode } from '@opentelemetry/api';
import type { ConfirmChannel } from 'amqplib';
import { Gauge, type Registry } from 'prom-client';
import type { Pool } from '../db/pool.js';
import type { Logger } from '../logging.js';
import { type OutboxSession, type OutboxStore, PostgresOutboxStore } from './outbox-store.js';
import { publishStored } from './publish.js';
import { connectRabbit, declareExchange } from './rabbit.js';

export interface OutboxRelayOptions {
  /** The kit's PostgreSQL outbox (kit_outbox), or another store. */
  pool?: Pool;
  store?: OutboxStore;
  amqpUrl: string;
  logger: Logger;
  batchSize?: number;
  /** Fallback poll when no notification arrives. */
  pollIntervalMs?: number;
  /** PostgreSQL's store: how long published rows may wait to be marked together (outbox-store.ts). */
  markDelayMs?: number;
}

export function outboxStoreOf(options: {
  pool?: Pool;
  store?: OutboxStore;
  markDelayMs?: number;
}): OutboxStore {
  if (options.store) return options.store;
  if (options.pool) return new PostgresOutboxStore(options.pool, { markDelayMs: options.markDelayMs });
  throw new Error('an outbox needs a pool or a store');
}

export class OutboxRelay {
  private stopping = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** A notification came since the last claim began: look again instead of sleeping. */
  private woken = false;
  private published = 0;
  private readonly store: OutboxStore;

  constructor(private readonly options: OutboxRelayOptions) {
    this.store = outboxStoreOf(options);
  }

  /** Messages this relay instance has published (for tests and diagnostics). */
  get publishedCount(): number {
    return this.published;
  }

  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.run();
  }

  /** Finishes the batch in flight, then stops. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    this.loop = undefined;
  }

  private async run(): Promise<void> {
    let backoffMs = 100;
    while (!this.stopping) {
      try {
        await this.session();
        backoffMs = 100;
      } catch (error) {
        if (this.stopping) break;
        this.options.logger.warn({ err: error }, 'outbox relay interrupted; retrying');
        await this.sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, 5_000);
      }
    }
  }

  /** One connected session: hold the store, publish until stopped or something breaks. */
  private async session(): Promise<void> {
    const session = await this.store.open(() => {
      this.woken = true;
      this.wake?.();
    });
    if (!session) {
      await this.sleep(this.options.pollIntervalMs ?? 1_000); // another replica is the relay
      return;
    }
    let connection: Awaited<ReturnType<typeof connectRabbit>> | undefined;
    try {
      connection = await connectRabbit(this.options.amqpUrl, 'outbox-relay');
      const closed = new Promise<never>((_, reject) =>
        connection?.once('close', () => reject(new Error('broker connection closed'))),
      );
      closed.catch(() => {});
      const channel = await connection.createConfirmChannel();
      // Publishing to a missing exchange would close the channel: each is declared before its first
      // message, so no service has to declare the exchanges it publishes to before its relay runs.
      const declared = new Set<string>();
      while (!this.stopping) {
        // A message committed after the claim's snapshot notifies while no sleep is there to wake:
        // the flag keeps that notification, or the message would wait for the next poll.
        this.woken = false;
        const count = await Promise.race([this.publishBatch(session, channel, declared), closed]);
        // A short batch was everything committed when the claim began; what came later notified.
        const drained = count === 0 || (session.notifies === true && count < this.batchSize);
        if (drained && !this.woken) await this.sleep(this.options.pollIntervalMs ?? 1_000);
      }
    } finally {
      await connection?.close().catch(() => {});
      await session.close();
    }
  }

  private async publishBatch(
    session: OutboxSession,
    channel: ConfirmChannel,
    declared: Set<string>,
  ): Promise<number> {
    const rows = await session.claim(this.batchSize);
    if (rows.length === 0) return 0;
    for (const exchange of new Set(rows.map((row) => row.exchange))) {
      if (declared.has(exchange)) continue;
      await declareExchange(channel, exchange);
      declared.add(exchange);
    }
    // One producer span per message, a child of the work that wrote it to the outbox.
    const spans: Span[] = rows.map((row) => publishStored(channel, row));
    try {
      await channel.waitForConfirms();
    } catch (error) {
      for (const span of spans) span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
      throw error;
    } finally {
      for (const span of spans) span.end();
    }
    await session.markPublished(rows);
    this.published += rows.length;
    return rows.length;
  }

  private get batchSize(): number {
    return this.options.batchSize ?? 100;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

/**
 * `outbox_oldest_pending_age_seconds`: how long the oldest unpublished outbox message has waited (0
 * when none waits), read from the store at each scrape, so it grows while the relay is stuck.
 */
export function registerOutboxBacklogMetric(registry: Registry, outbox: Pool | OutboxStore): void {
  const store = 'oldestPendingAgeSeconds' in outbox ? outbox : new PostgresOutboxStore(outbox);
  new Gauge({
    name: 'outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest outbox message not yet published (0 when none waits)',
    registers: [registry],
    async collect() {
      // A database that does not answer keeps the last value rather than failing the whole scrape.
      const age = await store.oldestPendingAgeSeconds().catch(() => undefined);
      if (age !== undefined) this.set(age);
    },
  });
}
