// A session is a refresh-token family. Signing in starts one; refreshing rotates its token.
import { randomUUID } from 'node:crypto';
import { CLOCK_TOLERANCE_SECONDS, type Queryable } from '@shopstack/kit';
import { type SessionRevokedReason, sessionRevoked } from '@shopstack/proto/messages';
import { SignJWT } from 'jose';
import {
  createFamily,
  insertRefreshToken,
  revokeAllFamilies,
  revokeFamily,
} from '../adapters/sessions-repository.js';
import { insertDenials } from '../adapters/token-denials-repository.js';
import { hashSecret, newOpaqueToken } from '../domain/secrets.js';
import type { User } from '../domain/user.js';
import type { RequestMeta, UsersDeps } from './deps.js';
import { emitContractEvent } from './events.js';
import { SIGNING_ALGORITHM } from './signing-key-ring.js';

export interface TokenPair {
  tokenType: 'Bearer';
  accessToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  refreshToken: string;
}

/** `sessionId`: the refresh-token family, or the API key the token was exchanged for. */
export async function signAccessToken(
  deps: UsersDeps,
  user: Pick<User, 'id' | 'role'>,
  sessionId: string,
  claims: { scope?: string } = {},
) {
  const { kid, key } = await deps.keys.activeKey();
  return new SignJWT({ role: user.role, sid: sessionId, ...claims })
    .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid, typ: 'JWT' })
    .setIssuer(deps.settings.issuer)
    .setAudience(deps.settings.audience)
    .setSubject(user.id)
    .setIssuedAt()
    .setExpirationTime(`${deps.settings.accessTokenTtlSeconds}s`)
    .setJti(randomUUID())
    .sign(key);
}

/** Issues the next refresh token of a family plus an access token. */
export async function issueTokens(
  db: Queryable,
  deps: UsersDeps,
  user: Pick<User, 'id' | 'role'>,
  familyId: string,
): Promise<TokenPair> {
  const refreshToken = newOpaqueToken();
  await insertRefreshToken(db, {
    hash: hashSecret(refreshToken),
    familyId,
    expiresAt: new Date(Date.now() + deps.settings.refreshTokenTtlSeconds * 1000),
  });
  return {
    tokenType: 'Bearer',
    accessToken: await signAccessToken(deps, user, familyId),
    expiresIn: deps.settings.accessTokenTtlSeconds,
    refreshToken,
  };
}

export async function startSession(
  db: Queryable,
  deps: UsersDeps,
  user: Pick<User, 'id' | 'role'>,
  meta: RequestMeta,
) {
  const familyId = randomUUID();
  await createFamily(db, { id: familyId, userId: user.id, userAgent: meta.userAgent, ip: meta.ip });
  return issueTokens(db, deps, user, familyId);
}

/** How long a denial must stand: as long as a token issued now could be accepted. */
export const denialLifetime = (deps: Pick<UsersDeps, 'settings'>) =>
  deps.settings.accessTokenTtlSeconds + CLOCK_TOLERANCE_SECONDS;

/**
 * Ends one session: its refresh tokens at once, its access tokens in every service as soon as their
 * verifiers read the deny list (about a second), in the caller's transaction. False when it had
 * ended already.
 */
export async function revokeSession(
  db: Queryable,
  deps: Pick<UsersDeps, 'settings'>,
  session: { userId: string; sessionId: string },
  reason: SessionRevokedReason,
): Promise<boolean> {
  if (!(await revokeFamily(db, session.sessionId, reason))) return false;
  await insertDenials(db, {
    userId: session.userId,
    sessionIds: [session.sessionId],
    everySession: false,
    reason,
    liveSeconds: denialLifetime(deps),
  });
  await emitContractEvent(db, deps, sessionRevoked, { ...session, reason });
  return true;
}

/** Ends every session of the user, the same way; returns how many were still open. */
export async function revokeEverySession(
  db: Queryable,
  deps: Pick<UsersDeps, 'settings'>,
  userId: string,
  reason: SessionRevokedReason,
): Promise<number> {
  const sessionIds = await revokeAllFamilies(db, userId, reason);
  // The user's denial covers tokens issued until now; the sessions' cover a token a concurrent
  // refresh signs in a family this transaction just revoked.
  await insertDenials(db, {
    userId,
    sessionIds,
    everySession: true,
    reason,
    liveSeconds: denialLifetime(deps),
  });
  await emitContractEvent(db, deps, sessionRevoked, { userId, sessionId: null, reason });
  return sessionIds.length;
}
