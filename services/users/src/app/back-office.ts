// What the back office does to an account besides block / unblock (admin.ts): confirm an email by
// hand, sign a user out everywhere, and read their sessions and audit trail for the one-customer
// view. Each action is audited with the acting admin and the reason, and refuses self-targeting.
import { withTransaction } from '@shopstack/kit';
import {
  type AuditRecord,
  queryAudit,
  recordAudit,
  type SignInFailures,
  signInFailuresByIp,
} from '../adapters/audit-log.js';
import { listFamilies, type SessionRecord } from '../adapters/sessions-repository.js';
import { findUserById, markEmailVerified } from '../adapters/users-repository.js';
import type { User } from '../domain/user.js';
import { type Actor, lockTarget } from './admin.js';
import type { RequestMeta, UsersDeps } from './deps.js';
import { revokeEverySession } from './sessions.js';

export async function confirmEmailByAdmin(
  deps: UsersDeps,
  actor: Actor,
  userId: string,
  reason: string,
  meta: RequestMeta,
): Promise<User> {
  return withTransaction(deps.pool, async (client) => {
    const user = await lockTarget(client, actor, userId);
    if (!user.emailVerifiedAt) {
      await markEmailVerified(client, userId);
      await recordAudit(client, {
        event: 'email.confirmed_by_admin',
        actorId: actor.id,
        subjectId: userId,
        ip: meta.ip,
        details: { reason },
      });
    }
    return (await findUserById(client, userId))!;
  });
}

/** Revokes every session (refresh-token family) of the user; the number that were still open. */
export async function signOutEverywhere(
  deps: UsersDeps,
  actor: Actor,
  userId: string,
  reason: string,
  meta: RequestMeta,
): Promise<number> {
  return withTransaction(deps.pool, async (client) => {
    await lockTarget(client, actor, userId);
    // Like a block: the families end, their access tokens are denied everywhere, session.revoked goes out.
    const revoked = await revokeEverySession(client, deps, userId, 'signed_out_by_admin');
    if (revoked > 0)
      await recordAudit(client, {
        event: 'sessions.revoked_by_admin',
        actorId: actor.id,
        subjectId: userId,
        ip: meta.ip,
        details: { reason, sessionsRevoked: revoked },
      });
    return revoked;
  });
}

export function sessionsOf(deps: UsersDeps, userId: string): Promise<SessionRecord[]> {
  return listFamilies(deps.pool, userId, 100);
}

export function auditTrailOf(
  deps: UsersDeps,
  userId: string,
  limit: number,
  before: string | undefined,
): Promise<AuditRecord[]> {
  return queryAudit(deps.pool, { userId, limit, before });
}

/** Failed sign-ins per client address, for the back office's anomaly rule (credential stuffing). */
export function signInFailuresPerIp(
  deps: UsersDeps,
  windowSeconds: number,
  minFailures: number,
): Promise<SignInFailures[]> {
  return signInFailuresByIp(deps.pool, windowSeconds, minFailures);
}
