// The transactional outbox: an event is stored in the same transaction as the change it announces,
// so it is published if and only if that change committed. The relay publishes it later.
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../db/pool.js';
import { injectTraceContext } from '../tracing.js';

export const OUTBOX_CHANNEL = 'kit_outbox';

export interface OutgoingMessage {
  exchange: string;
  routingKey: string;
  /** e.g. `user.registered`; becomes the AMQP `type` property. */
  type: string;
  payload: unknown;
  /** Stable id consumers deduplicate on; generated when absent. */
  messageId?: string;
}

/** Call inside the transaction that makes the change. Returns the message id. */
export async function enqueueOutbox(client: Queryable, message: OutgoingMessage): Promise<string> {
  const messageId = message.messageId ?? randomUUID();
  await client.query(
    `insert into kit_outbox (message_id, exchange, routing_key, message_type, payload, headers)
     values ($1, $2, $3, $4, $5, $6)`,
    [
      messageId,
      message.exchange,
      message.routingKey,
      message.type,
      JSON.stringify(message.payload),
      JSON.stringify(injectTraceContext()),
    ],
  );
  // Delivered at commit only; wakes the relay without waiting for its next poll.
  await client.query('select pg_notify($1, $2)', [OUTBOX_CHANNEL, '']);
  return messageId;
}
