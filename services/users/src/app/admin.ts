// User management by admins: search, block / unblock, role changes, deletion (anonymizing).
// An admin cannot act on their own account here, so nobody locks themselves out by mistake.
import { AppError, encodeCursor, withTransaction } from '@shopstack/kit';
import { userBlocked, userDeleted } from '@shopstack/proto/messages';
import { z } from 'zod';
import { type AuditQuery, queryAudit, recordAudit } from '../adapters/audit-log.js';
import {
  anonymizeUser,
  findCredentialsByEmail,
  findUserById,
  searchUsers,
  setBlocked,
  setRole,
  type UserSearch,
} from '../adapters/users-repository.js';
import { anonymizedEmail, normalizeEmail } from '../domain/email.js';
import type { Role } from '../domain/roles.js';
import { toUserView, type User, type UserView } from '../domain/user.js';
import type { RequestMeta, UsersDeps } from './deps.js';
import { emitContractEvent, emitUserEvent } from './events.js';
import { revokeEverySession } from './sessions.js';

export interface Actor {
  id: string;
}

export async function listUsers(
  deps: UsersDeps,
  search: UserSearch,
): Promise<{ users: UserView[]; nextCursor: string | null }> {
  const users = await searchUsers(deps.pool, { ...search, limit: search.limit + 1 });
  const page = users.slice(0, search.limit);
  const last = page.at(-1);
  const nextCursor =
    users.length > search.limit && last
      ? encodeCursor({ createdAt: last.createdAt.toISOString(), id: last.id })
      : null;
  return { users: page.map(toUserView), nextCursor };
}

/** Where a page of the admin's user list ends: what the next page's cursor holds. */
export const UserPosition = z.object({
  createdAt: z.iso.datetime().transform((at) => new Date(at)),
  id: z.uuid(),
});

/** Loads the target inside the transaction, refusing self-targeting and deleted accounts. */
export async function lockTarget(
  client: Parameters<typeof findUserById>[0],
  actor: Actor,
  userId: string,
): Promise<User> {
  if (actor.id === userId) {
    throw new AppError(
      'forbidden',
      'cannot-target-self',
      'use another admin account to change your own account',
    );
  }
  const user = await findUserById(client, userId, true);
  if (!user || user.deletedAt) throw new AppError('not_found', 'user-not-found', 'no such user');
  return user;
}

export async function blockUser(
  deps: UsersDeps,
  actor: Actor,
  userId: string,
  reason: string,
  meta: RequestMeta,
): Promise<UserView> {
  return withTransaction(deps.pool, async (client) => {
    const user = await lockTarget(client, actor, userId);
    if (!user.blockedAt) {
      await setBlocked(client, userId, true, reason);
      const revoked = await revokeEverySession(client, deps, userId, 'blocked');
      await recordAudit(client, {
        event: 'user.blocked',
        actorId: actor.id,
        subjectId: userId,
        ip: meta.ip,
        details: { reason, sessionsRevoked: revoked },
      });
      await emitContractEvent(client, deps, userBlocked, { userId, reason });
    }
    return toUserView((await findUserById(client, userId))!);
  });
}

export async function unblockUser(
  deps: UsersDeps,
  actor: Actor,
  userId: string,
  meta: RequestMeta,
  reason?: string,
) {
  return withTransaction(deps.pool, async (client) => {
    const user = await lockTarget(client, actor, userId);
    if (user.blockedAt) {
      await setBlocked(client, userId, false);
      await recordAudit(client, {
        event: 'user.unblocked',
        actorId: actor.id,
        subjectId: userId,
        ip: meta.ip,
        ...(reason ? { details: { reason } } : {}),
      });
      await emitUserEvent(client, deps, 'user.unblocked', { userId });
    }
    return toUserView((await findUserById(client, userId))!);
  });
}

export async function changeRole(
  deps: UsersDeps,
  actor: Actor,
  userId: string,
  role: Role,
  meta: RequestMeta,
) {
  return withTransaction(deps.pool, async (client) => {
    const user = await lockTarget(client, actor, userId);
    if (user.role !== role) {
      await setRole(client, userId, role);
      // Tokens carry the role: end the sessions so the next token has the new one.
      await revokeEverySession(client, deps, userId, 'role_changed');
      await recordAudit(client, {
        event: 'role.changed',
        actorId: actor.id,
        subjectId: userId,
        ip: meta.ip,
        details: { from: user.role, to: role },
      });
      await emitUserEvent(client, deps, 'user.role_changed', { userId, from: user.role, to: role });
    }
    return toUserView((await findUserById(client, userId))!);
  });
}

export async function deleteUser(
  deps: UsersDeps,
  actor: Actor,
  userId: string,
  meta: RequestMeta,
): Promise<void> {
  await withTransaction(deps.pool, async (client) => {
    await lockTarget(client, actor, userId);
    await anonymizeUser(client, userId, anonymizedEmail(userId));
    await revokeEverySession(client, deps, userId, 'deleted');
    await recordAudit(client, { event: 'user.deleted', actorId: actor.id, subjectId: userId, ip: meta.ip });
    await emitContractEvent(client, deps, userDeleted, { userId });
  });
}

export function readAudit(deps: UsersDeps, query: AuditQuery) {
  return queryAudit(deps.pool, query);
}

/** The new key is published at once and signs from `activatesAt` (after the edge's JWKS cache). */
export async function rotateSigningKey(
  deps: UsersDeps,
  actor: Actor,
  meta: RequestMeta,
): Promise<{ kid: string; activatesAt: Date }> {
  const rotated = await deps.keys.rotate();
  await recordAudit(deps.pool, {
    event: 'signing_key.rotated',
    actorId: actor.id,
    ip: meta.ip,
    details: { kid: rotated.kid, activatesAt: rotated.activatesAt.toISOString() },
  });
  return rotated;
}

/**
 * Gives an account a role from the operator's console rather than through the API: this is how a
 * shop gets its first admin. Audited like any role change, with no acting user.
 */
export async function appointRole(
  deps: Pick<UsersDeps, 'pool' | 'settings'>,
  email: string,
  role: Role,
): Promise<UserView> {
  return withTransaction(deps.pool, async (client) => {
    const found = await findCredentialsByEmail(client, normalizeEmail(email));
    if (!found || found.user.deletedAt) throw new AppError('not_found', 'user-not-found', 'no such user');
    const { user } = found;
    if (user.role !== role) {
      await setRole(client, user.id, role);
      await revokeEverySession(client, deps, user.id, 'role_changed');
      await recordAudit(client, {
        event: 'role.changed',
        subjectId: user.id,
        details: { from: user.role, to: role, via: 'console' },
      });
      await emitUserEvent(client, deps, 'user.role_changed', { userId: user.id, from: user.role, to: role });
    }
    return toUserView((await findUserById(client, user.id))!);
  });
}
