// Integration events, written to the outbox in the caller's transaction. The routing key is the
// event type, so consumers bind with patterns such as `user.*`.
import { enqueueOutbox, type Queryable } from '@shopstack/kit';
import type { MessageContract } from '@shopstack/proto/messages';
import type { z } from 'zod';
import type { UsersDeps } from './deps.js';

export type UserEventType =
  | 'user.registered'
  | 'user.email_verification_requested'
  | 'user.password_reset_requested'
  | 'user.unblocked'
  | 'user.role_changed';

export function emitUserEvent(
  db: Queryable,
  deps: Pick<UsersDeps, 'settings'>,
  type: UserEventType,
  payload: Record<string, unknown>,
): Promise<string> {
  return enqueueOutbox(db, {
    exchange: deps.settings.eventsExchange,
    routingKey: type,
    type,
    payload: { ...payload, occurredAt: new Date().toISOString() },
  });
}

/** An event with a contract in @shopstack/proto/messages: checked and versioned as it is written. */
export function emitContractEvent<Schema extends z.ZodType>(
  db: Queryable,
  deps: Pick<UsersDeps, 'settings'>,
  contract: MessageContract<Schema>,
  payload: Omit<z.input<Schema>, 'occurredAt'>,
): Promise<string> {
  return enqueueOutbox(db, {
    exchange: deps.settings.eventsExchange,
    routingKey: contract.type,
    type: contract.type,
    payload: contract.encode({ ...payload, occurredAt: new Date().toISOString() } as z.input<Schema>),
  });
}
