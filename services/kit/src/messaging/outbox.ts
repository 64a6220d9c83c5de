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
  // The NOTIFY is delivered at commit only; it wakes the relay without waiting for its next poll.
  // One statement for both: a round trip less inside every transaction that sends a message.
  await client.query(
    `with stored as (
       insert into kit_outbox (message_id, exchange, routing_key, message_type, payload, headers)
       values ($1, $2, $3, $4, $5, $6) returning position)
     select pg_notify($7, '') from stored`,
    [
      messageId,
      message.exchange,
      message.routingKey,
      message.type,
      JSON.stringify(message.payload),
      JSON.stringify(injectTraceContext()),
      OUTBOX_CHANNEL,
    ],
  );
  return messageId;
}
