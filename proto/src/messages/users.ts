// Integration events of users about accounts and sessions ending, on the events exchange (routing key
// = the type). Every service's token verifier learns the same facts from users' deny-list feed (see
// @shopstack/kit's token-denials.ts); these events are for services that act on them (a notice to
// the customer, a cache to drop).
import { z } from 'zod';
import { defineMessage } from './contract.js';

const userId = z.uuid();
const occurredAt = z.iso.datetime();

/** An admin blocked the account: no sign-in, every session revoked. */
export const userBlocked = defineMessage(
  'user.blocked',
  1,
  z.object({ userId, reason: z.string().max(500).nullable(), occurredAt }),
);
export type UserBlocked = z.output<typeof userBlocked.schema>;

/** The account was deleted (anonymized): every session revoked. */
export const userDeleted = defineMessage('user.deleted', 1, z.object({ userId, occurredAt }));
export type UserDeleted = z.output<typeof userDeleted.schema>;

/**
 * Sessions ended before their time: one (`sessionId`: sign-out, a reused refresh token, a revoked
 * API key, whose id is the session of the tokens exchanged for it) or every
 * session of the user (`sessionId` null: blocked, deleted, role or password changed). Their access
 * tokens are refused from now on.
 */
export const sessionRevoked = defineMessage(
  'session.revoked',
  1,
  z.object({
    userId,
    sessionId: z.uuid().nullable(),
    reason: z.enum([
      'logout',
      'reuse_detected',
      'account_inactive',
      'blocked',
      'deleted',
      'role_changed',
      'password_changed',
      'password_reset',
      /** An admin signed the user out everywhere (back office). */
      'signed_out_by_admin',
      'api_key_revoked',
    ]),
    occurredAt,
  }),
);
export type SessionRevoked = z.output<typeof sessionRevoked.schema>;
export type SessionRevokedReason = SessionRevoked['reason'];
