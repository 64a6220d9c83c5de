// A session is a refresh-token family. Signing in starts one; refreshing rotates its token.
import { randomUUID } from 'node:crypto';
import type { Queryable } from '@shopstack/kit';
import { SignJWT } from 'jose';
import { createFamily, insertRefreshToken } from '../adapters/sessions-repository.js';
import { hashSecret, newOpaqueToken } from '../domain/secrets.js';
import type { User } from '../domain/user.js';
import type { UsersDeps } from './deps.js';
import { SIGNING_ALGORITHM } from './signing-key-ring.js';

export interface TokenPair {
  tokenType: 'Bearer';
  accessToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  refreshToken: string;
}

export async function signAccessToken(deps: UsersDeps, user: Pick<User, 'id' | 'role'>, familyId: string) {
  const { kid, key } = await deps.keys.activeKey();
  return new SignJWT({ role: user.role, sid: familyId })
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

export async function startSession(db: Queryable, deps: UsersDeps, user: Pick<User, 'id' | 'role'>) {
  const familyId = randomUUID();
  await createFamily(db, familyId, user.id);
  return issueTokens(db, deps, user, familyId);
}
