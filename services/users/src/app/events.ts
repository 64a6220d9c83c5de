// Integration events, written to the outbox in the caller's transaction. The routing key is the
// event type, so consumers bind with patterns such as `user.*`.
import { enqueueOutbox, type Queryable } from '@shopstack/kit';
import type { UsersDeps } from './deps.js';

export type UserEventType =
  | 'user.registered'
  | 'user.email_verification_requested'
  | 'user.password_reset_requested'
  | 'user.blocked'
  | 'user.unblocked'
  | 'user.role_changed'
  | 'user.deleted';

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
