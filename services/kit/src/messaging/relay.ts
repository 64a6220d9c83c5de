// Publishes the outbox to RabbitMQ, in order, with publisher confirms. A row is marked published
// only after the broker confirmed it, so nothing committed is lost. One relay per database is
// active at a time (a PostgreSQL advisory lock), so replicas never publish the same row twice.
//
// Delivery guarantee: a graceful stop finishes the batch in flight and marks it, so a restart
// publishes nothing twice. A hard crash between a confirm and its mark republishes at most that
// batch, with the same message ids, and consumers' inboxes drop the duplicates.
import { context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ConfirmChannel } from 'amqplib';
import type pg from 'pg';
import { Gauge, type Registry } from 'prom-client';
import type { Pool, PoolClient } from '../db/pool.js';
import type { Logger } from '../logging.js';
import { extractTraceContext, injectTraceContext, tracer } from '../tracing.js';
import { OUTBOX_CHANNEL } from './outbox.js';
import { connectRabbit, declareExchange } from './rabbit.js';

const RELAY_LOCK_KEY = 7_310_442_001; // arbitrary, fixed: "the outbox relay of this database"

export interface OutboxRelayOptions {
  pool: Pool;
  amqpUrl: string;
  logger: Logger;
  batchSize?: number;
  /** Fallback poll when no notification arrives. */
  pollIntervalMs?: number;
}

interface OutboxRow {
  position: string;
  message_id: string;
  exchange: string;
  routing_key: string;
  message_type: string;
  payload: unknown;
  headers: Record<string, string>;
  created_at: Date;
}

export class OutboxRelay {
  private stopping = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private published = 0;

  constructor(private readonly options: OutboxRelayOptions) {}

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

  /** One connected session: hold the leader lock, publish until stopped or something breaks. */
  private async session(): Promise<void> {
    const lockClient = await this.options.pool.connect();
    let connection: Awaited<ReturnType<typeof connectRabbit>> | undefined;
    try {
      const { rows } = await lockClient.query<{ locked: boolean }>(
        'select pg_try_advisory_lock($1) as locked',
        [RELAY_LOCK_KEY],
      );
      if (!rows[0]?.locked) {
        await this.sleep(this.options.pollIntervalMs ?? 1_000); // another replica is the relay
        return;
      }
      await this.listen(lockClient);
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
        const count = await Promise.race([this.publishBatch(channel, declared), closed]);
        if (count === 0) await this.sleep(this.options.pollIntervalMs ?? 1_000);
      }
    } finally {
      await connection?.close().catch(() => {});
      (lockClient as unknown as pg.Client).removeAllListeners('notification');
      await lockClient.query('unlisten *; select pg_advisory_unlock_all()').catch(() => {});
      lockClient.release();
    }
  }

  private async listen(client: PoolClient): Promise<void> {
    (client as unknown as pg.Client).on('notification', () => this.wake?.());
    await client.query(`listen ${OUTBOX_CHANNEL}`);
  }

  private async publishBatch(channel: ConfirmChannel, declared: Set<string>): Promise<number> {
    const { rows } = await this.options.pool.query<OutboxRow>(
      `select position, message_id, exchange, routing_key, message_type, payload, headers, created_at
         from kit_outbox where published_at is null order by position limit $1`,
      [this.options.batchSize ?? 100],
    );
    if (rows.length === 0) return 0;
    for (const exchange of new Set(rows.map((row) => row.exchange))) {
      if (declared.has(exchange)) continue;
      await declareExchange(channel, exchange);
      declared.add(exchange);
    }
    // One producer span per message, a child of the work that wrote it to the outbox; consumers
    // continue from this span (its context replaces the stored one in the published headers).
    const spans: Span[] = [];
    for (const row of rows) {
      const span = tracer().startSpan(
        `publish ${row.message_type}`,
        {
          kind: SpanKind.PRODUCER,
          attributes: {
            'messaging.system': 'rabbitmq',
            'messaging.destination.name': row.exchange,
            'messaging.rabbitmq.destination.routing_key': row.routing_key,
            'messaging.message.id': row.message_id,
          },
        },
        extractTraceContext(row.headers),
      );
      spans.push(span);
      const headers = injectTraceContext({ ...row.headers }, trace.setSpan(context.active(), span));
      channel.publish(row.exchange, row.routing_key, Buffer.from(JSON.stringify(row.payload)), {
        persistent: true,
        messageId: row.message_id,
        type: row.message_type,
        contentType: 'application/json',
        timestamp: Math.floor(row.created_at.getTime() / 1000),
        headers,
      });
    }
    try {
      await channel.waitForConfirms();
    } catch (error) {
      for (const span of spans) span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
      throw error;
    } finally {
      for (const span of spans) span.end();
    }
    await this.options.pool.query(
      'update kit_outbox set published_at = now() where position = any($1::bigint[])',
      [rows.map((row) => row.position)],
    );
    this.published += rows.length;
    return rows.length;
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
 * when none waits), read from the database at each scrape, so it grows while the relay is stuck.
 */
export function registerOutboxBacklogMetric(registry: Registry, pool: Pool): void {
  new Gauge({
    name: 'outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest outbox message not yet published (0 when none waits)',
    registers: [registry],
    async collect() {
      // A database that does not answer keeps the last value rather than failing the whole scrape.
      const result = await pool
        .query<{ age: number | null }>(
          'select extract(epoch from now() - min(created_at))::float8 as age from kit_outbox where published_at is null',
        )
        .catch(() => undefined);
      if (result) this.set(result.rows[0]?.age ?? 0);
    },
  });
}
