// Idempotent consumers: the message id is recorded in the inbox in the same transaction as the
// handler's effect, so a redelivered message is acknowledged without running the handler again.
// A handler that fails is retried once (requeue); failing again sends the message to `<queue>.dead`,
// and so does a message without an id at once. Each dead-lettered message is counted (onDeadLetter).
//
// A handler that answers (a saga participant replying to a command) returns `{ reply }`: the reply is
// stored with the inbox row in the handling transaction, published with a confirm after the commit,
// and only then is the command acknowledged — so the answer needs no outbox (no second write to mark
// it published). A crash anywhere before the acknowledgement has the broker redeliver the command
// (flagged `redelivered`); its inbox row is found and the stored reply is sent again, with the same
// message id, for the requester's inbox to drop if the first one did arrive. A command published
// again by its sender (a new delivery, not the broker's redelivery) was acknowledged only after its
// reply was confirmed, so it is dropped without a second answer.

import { randomUUID } from 'node:crypto';
import { SpanKind } from '@opentelemetry/api';
import type { Channel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { Counter } from 'prom-client';
import { type Pool, type PoolClient, withTransaction } from '../db/pool.js';
import type { Logger } from '../logging.js';
import { extractTraceContext, injectTraceContext, inSpan } from '../tracing.js';
import type { OutgoingMessage } from './outbox.js';
import { publishStored, type StoredMessage } from './publish.js';
import { declareExchange } from './rabbit.js';

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
  /**
   * May return a function, run once the transaction committed (e.g. to start work it made due), or
   * a `HandlerReply`: a message to answer with, published after the commit (see above).
   */
  handle: (client: PoolClient, message: IncomingMessage) => Promise<unknown>;
  /** The confirm channel replies go out on (opened on first use); required by handlers that reply. */
  replies?: () => Promise<ConfirmChannel>;
  /** Counts every message sent to the dead-letter queue (the kit's `messaging_dead_lettered_total`). */
  deadLettered?: Counter<'queue' | 'reason'>;
}

/** What a handler that answers returns. */
export interface HandlerReply {
  reply: OutgoingMessage;
  /** Run once the reply was confirmed and the message acknowledged. */
  afterCommit?: () => void;
}

const isReply = (value: unknown): value is HandlerReply =>
  typeof value === 'object' && value !== null && 'reply' in value;

/** What handling a message leaves to do once its effect is stored: a reply to send, then work to start. */
interface Handled {
  send?: () => Promise<void>;
  afterCommit?: unknown;
}

/** Why a message went to the dead-letter queue: the `reason` label of the count. */
export type DeadLetterReason = 'missing_message_id' | 'unreadable' | 'handler_failed';
type FailureReason = DeadLetterReason | 'reply_unsent';

/** Where a consumer settles its messages; shared by the inbox's consumers and the at-least-once ones. */
type Delivery = Pick<InboxConsumerOptions, 'channel' | 'queue' | 'logger' | 'prefetch' | 'deadLettered'>;

/** Starts consuming; returns the consumer tag (cancel with `channel.cancel(tag)`). */
export function consumeWithInbox(options: InboxConsumerOptions): Promise<string> {
  return consumeEach(options, (message, redelivered) =>
    withTransaction(options.pool, async (client): Promise<Handled> => {
      const inserted = await client.query(
        'insert into kit_inbox (consumer, message_id) values ($1, $2) on conflict do nothing',
        [options.consumer, message.id],
      );
      if (inserted.rowCount !== 1) return redelivered ? storedReply(client, options, message.id) : {};
      const result = await options.handle(client, message);
      if (!isReply(result)) return { afterCommit: result };
      const reply = toStored(result.reply);
      await client.query('update kit_inbox set reply = $3 where consumer = $1 and message_id = $2', [
        options.consumer,
        message.id,
        JSON.stringify(reply),
      ]);
      return { send: () => sendReply(options, reply), afterCommit: result.afterCommit };
    }),
  );
}

export interface AtLeastOnceConsumerOptions extends Delivery {
  /** Awaited before the acknowledgement; may return a function, run after it. */
  handle: (message: IncomingMessage) => Promise<unknown>;
}

/**
 * Starts consuming without the inbox, for a handler whose effect may happen twice without harm (it is
 * idempotent by itself) in a service that may have no PostgreSQL for an inbox. Delivery is then at
 * least once: the message is acknowledged after the handler returned, so a crash or a lost connection
 * before that has the broker deliver it again and the handler runs again. Failures are retried and
 * dead-lettered as with the inbox.
 */
export function consumeAtLeastOnce(options: AtLeastOnceConsumerOptions): Promise<string> {
  return consumeEach(options, async (message) => ({ afterCommit: await options.handle(message) }));
}

async function consumeEach(
  options: Delivery,
  process: (message: IncomingMessage, redelivered: boolean) => Promise<Handled>,
): Promise<string> {
  const { channel, logger } = options;
  await channel.prefetch(options.prefetch ?? 10);
  const { consumerTag } = await channel.consume(options.queue, (raw) => {
    if (raw)
      void handleOne(options, raw, process).catch((error) =>
        logger.error({ err: error }, 'inbox consumer failed'),
      );
  });
  return consumerTag;
}

async function handleOne(
  options: Delivery,
  raw: ConsumeMessage,
  process: (message: IncomingMessage, redelivered: boolean) => Promise<Handled>,
): Promise<void> {
  const { channel, logger } = options;
  const id = raw.properties.messageId as string | undefined;
  if (!id) {
    logger.error({ queue: options.queue }, 'message without message id; dead-lettering');
    settle(options, () => channel.nack(raw, false, false), '', 'missing_message_id');
    return;
  }
  const headers = (raw.properties.headers ?? {}) as Record<string, unknown>;
  let reason: FailureReason = 'unreadable';
  try {
    const message: IncomingMessage = {
      id,
      type: String(raw.properties.type ?? ''),
      payload: JSON.parse(raw.content.toString('utf8')),
      headers,
    };
    reason = 'handler_failed';
    const outcome = await inSpan(
      `consume ${message.type}`,
      SpanKind.CONSUMER,
      extractTraceContext(headers),
      () => process(message, raw.fields.redelivered),
    );
    // Stored: from here on the effect stays, and a failure only means the reply is still owed.
    reason = 'reply_unsent';
    if (outcome.send) await outcome.send();
    settle(options, () => channel.ack(raw), id);
    if (typeof outcome.afterCommit === 'function') outcome.afterCommit();
  } catch (error) {
    logger.warn(
      { err: error, messageId: id, redelivered: raw.fields.redelivered },
      'message handling failed',
    );
    // The first failure goes back to the queue for one more try; the second goes to `<queue>.dead`.
    // An unsent reply always goes back: the effect committed, its redelivery only sends the reply.
    const requeue = reason === 'reply_unsent' || !raw.fields.redelivered;
    settle(
      options,
      () => channel.nack(raw, false, requeue),
      id,
      requeue || reason === 'reply_unsent' ? undefined : reason,
    );
  }
}

/**
 * Acknowledges on the channel the message came on. If that channel closed meanwhile (the broker
 * went away), the broker redelivers the message to the next subscription, and the inbox makes
 * that redelivery a no-op when the effect had committed: nothing to do here but say so.
 */
function settle(
  options: Delivery,
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

/** The reply stored with an earlier delivery of this message, if it answered. */
async function storedReply(client: PoolClient, options: InboxConsumerOptions, id: string): Promise<Handled> {
  const { rows } = await client.query<{
    reply: (Omit<StoredMessage, 'createdAt'> & { createdAt: string }) | null;
  }>('select reply from kit_inbox where consumer = $1 and message_id = $2', [options.consumer, id]);
  const reply = rows[0]?.reply;
  return reply ? { send: () => sendReply(options, { ...reply, createdAt: new Date(reply.createdAt) }) } : {};
}

function toStored(message: OutgoingMessage): StoredMessage {
  return {
    messageId: message.messageId ?? randomUUID(),
    exchange: message.exchange,
    routingKey: message.routingKey,
    type: message.type,
    payload: message.payload,
    headers: injectTraceContext(),
    createdAt: new Date(),
  };
}

const declaredOn = new WeakMap<ConfirmChannel, Set<string>>();

/** Publishes a reply and waits for the broker's confirm. */
async function sendReply(options: InboxConsumerOptions, reply: StoredMessage): Promise<void> {
  if (!options.replies) throw new Error(`consumer ${options.consumer} replies but has no reply channel`);
  const channel = await options.replies();
  // Declared before its first reply on this channel (publishing to a missing exchange closes it).
  const declared = declaredOn.get(channel) ?? new Set<string>();
  declaredOn.set(channel, declared);
  if (!declared.has(reply.exchange)) {
    await declareExchange(channel, reply.exchange);
    declared.add(reply.exchange);
  }
  const span = publishStored(channel, reply);
  try {
    await channel.waitForConfirms();
  } finally {
    span.end();
  }
}
