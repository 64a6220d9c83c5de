// Idempotent consumers: the message id is recorded in the inbox in the same transaction as the
// handler's effect, so a redelivered message is acknowledged without running the handler again.
// A handler that fails is retried once (requeue); failing again sends the message to `<queue>.dead`,
// and so does a message without an id at once. Each dead-lettered message is counted (onDeadLetter).

import { SpanKind } from '@opentelemetry/api';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { Counter } from 'prom-client';
import { type Pool, type PoolClient, withTransaction } from '../db/pool.js';
import type { Logger } from '../logging.js';
import { extractTraceContext, inSpan } from '../tracing.js';

export interface IncomingMessage {
  id: string;
  type: string;
  payload: unknown;
  headers: Record<string, unknown>;
}

export interface InboxConsumerOptions {
  channel: Channel;
  queue: string;
  pool: Pool;
  /** Name under which handled ids are recorded; one per logical consumer. */
  consumer: string;
  logger: Logger;
  prefetch?: number;
  /** May return a function, run once the transaction committed (e.g. to start work it made due). */
  handle: (client: PoolClient, message: IncomingMessage) => Promise<unknown>;
  /** Counts every message sent to the dead-letter queue (the kit's `messaging_dead_lettered_total`). */
  deadLettered?: Counter<'queue' | 'reason'>;
}

/** Why a message went to the dead-letter queue: the `reason` label of the count. */
export type DeadLetterReason = 'missing_message_id' | 'unreadable' | 'handler_failed';

/** Starts consuming; returns the consumer tag (cancel with `channel.cancel(tag)`). */
export async function consumeWithInbox(options: InboxConsumerOptions): Promise<string> {
  const { channel, logger } = options;
  await channel.prefetch(options.prefetch ?? 10);
  const { consumerTag } = await channel.consume(options.queue, (raw) => {
    if (raw)
      void handleOne(options, raw).catch((error) => logger.error({ err: error }, 'inbox consumer failed'));
  });
  return consumerTag;
}

async function handleOne(options: InboxConsumerOptions, raw: ConsumeMessage): Promise<void> {
  const { channel, logger } = options;
  const id = raw.properties.messageId as string | undefined;
  if (!id) {
    logger.error({ queue: options.queue }, 'message without message id; dead-lettering');
    settle(options, () => channel.nack(raw, false, false), '', 'missing_message_id');
    return;
  }
  const headers = (raw.properties.headers ?? {}) as Record<string, unknown>;
  let reason: DeadLetterReason = 'unreadable';
  try {
    const message: IncomingMessage = {
      id,
      type: String(raw.properties.type ?? ''),
      payload: JSON.parse(raw.content.toString('utf8')),
      headers,
    };
    reason = 'handler_failed';
    const afterCommit = await inSpan(
      `consume ${message.type}`,
      SpanKind.CONSUMER,
      extractTraceContext(headers),
      () =>
        withTransaction(options.pool, async (client) => {
          const inserted = await client.query(
            'insert into kit_inbox (consumer, message_id) values ($1, $2) on conflict do nothing',
            [options.consumer, id],
          );
          return inserted.rowCount === 1 ? await options.handle(client, message) : undefined;
        }),
    );
    settle(options, () => channel.ack(raw), id);
    if (typeof afterCommit === 'function') afterCommit();
  } catch (error) {
    logger.warn(
      { err: error, messageId: id, redelivered: raw.fields.redelivered },
      'message handling failed',
    );
    // The first failure goes back to the queue for one more try; the second goes to `<queue>.dead`.
    const requeue = !raw.fields.redelivered;
    settle(options, () => channel.nack(raw, false, requeue), id, requeue ? undefined : reason);
  }
}

/**
 * Acknowledges on the channel the message came on. If that channel closed meanwhile (the broker
 * went away), the broker redelivers the message to the next subscription, and the inbox makes
 * that redelivery a no-op when the effect had committed: nothing to do here but say so.
 */
function settle(
  options: InboxConsumerOptions,
  action: () => void,
  messageId: string,
  deadLetter?: DeadLetterReason,
): void {
  try {
    action();
    // Counted once the broker was told: a nack that never left stays in the queue, not dead-lettered.
    if (deadLetter) options.deadLettered?.inc({ queue: options.queue, reason: deadLetter });
  } catch (error) {
    options.logger.debug(
      { err: error, messageId },
      'channel closed before the acknowledgement; redelivered later',
    );
  }
}
