// Reads: the signed-in user, another user's profile, users by id (gRPC), the token deny list.
import { AppError, type AuthenticatedUser } from '@shopstack/kit';
import { isFamilyActive } from '../adapters/sessions-repository.js';
import { readDenialsFeed } from '../adapters/token-denials-repository.js';
import { findUserById, findUsersByIds } from '../adapters/users-repository.js';
import { canReadProfile } from '../domain/roles.js';
import { isActive, type User } from '../domain/user.js';
import type { UsersDeps } from './deps.js';

/**
 * The account behind an access token, refused when it was blocked or deleted, or its session
 * revoked, after the token was issued (access tokens are short-lived, but this service knows better).
 */
export async function currentAccount(deps: UsersDeps, auth: AuthenticatedUser): Promise<User> {
  const user = await findUserById(deps.pool, auth.id);
  const sessionLive = auth.sessionId ? await isFamilyActive(deps.pool, auth.sessionId) : false;
  if (!user || !isActive(user) || !sessionLive) {
    throw new AppError('unauthenticated', 'invalid-token', 'the access token is missing, invalid or expired');
  }
  return user;
}

export async function profileFor(deps: UsersDeps, actor: AuthenticatedUser, userId: string): Promise<User> {
  if (!canReadProfile(actor, userId)) {
    throw new AppError('forbidden', 'forbidden', 'you may only read your own profile');
  }
  const user = await findUserById(deps.pool, userId);
  if (!user) throw new AppError('not_found', 'user-not-found', 'no such user');
  return user;
}

export async function getUser(deps: UsersDeps, userId: string): Promise<User> {
  const user = await findUserById(deps.pool, userId);
  if (!user) throw new AppError('not_found', 'user-not-found', `no user ${userId}`);
  return user;
}

export function getUsers(deps: UsersDeps, ids: string[]): Promise<User[]> {
  return findUsersByIds(deps.pool, [...new Set(ids)]);
}

/** Revoked sessions and users whose tokens every service refuses; `after` is the last cursor read. */
export function tokenDenialsSince(deps: Pick<UsersDeps, 'pool'>, after: string | undefined) {
  return readDenialsFeed(deps.pool, after);
}
