// Baselines for the checkout benchmark, on the same servers and with the same concurrency.
import { randomUUID } from 'node:crypto';
import { connectRabbit } from '@shopstack/kit';
import { requireEnv } from '@shopstack/kit/testing';
import amqp from 'amqplib';
import pg from 'pg';
import { type Figures, timed } from '../support/timing.js';

/** One-row INSERT, each its own transaction, into a scratch table of the orders database. */
export async function rawInsert(url: string, count: number, concurrency: number): Promise<Figures> {
  const pool = new pg.Pool({ connectionString: url, max: concurrency });
  try {
    await pool.query(
      'create table if not exists bench_baseline (id uuid primary key, payload jsonb not null)',
    );
    return await timed(count, concurrency, async () => {
      await pool.query('insert into bench_baseline (id, payload) values ($1, $2)', [randomUUID(), '{"n":1}']);
    });
  } finally {
    await pool.query('drop table if exists bench_baseline').catch(() => {});
    await pool.end();
  }
}

/**
 * A persistent message published with a confirm and consumed from a durable queue, one at a time per
 * worker, on one connection: opened as the kit opens it (TCP_NODELAY), or with Nagle's algorithm on
 * (`nagle`) to show what that setting is worth.
 */
export async function rabbitRoundTrip(count: number, concurrency: number, nagle = false): Promise<Figures> {
  const connection = nagle
    ? await amqp.connect(requireEnv('AMQP_URL'), { noDelay: false })
    : await connectRabbit(requireEnv('AMQP_URL'), 'bench-baseline');
  const channel = await connection.createConfirmChannel();
  const queue = `bench.baseline.${randomUUID()}`;
  await channel.assertQueue(queue, { durable: true });
  const waiting = new Map<string, () => void>();
  await channel.consume(queue, (message) => {
    if (!message) return;
    channel.ack(message);
    waiting.get(String(message.properties.messageId))?.();
  });
  try {
    return await timed(count, concurrency, async () => {
      const id = randomUUID();
      const consumed = new Promise<void>((resolve) => waiting.set(id, resolve));
      channel.sendToQueue(queue, Buffer.from('{"n":1}'), { persistent: true, messageId: id });
      await channel.waitForConfirms();
      await consumed;
      waiting.delete(id);
    });
  } finally {
    await channel.deleteQueue(queue).catch(() => {});
    await connection.close().catch(() => {});
  }
}

export async function healthz(url: string, count: number, concurrency: number): Promise<Figures> {
  return timed(count, concurrency, async () => {
    const response = await fetch(url);
    await response.arrayBuffer();
  });
}
