// Refresh-token rotation with reuse detection, and sign-out.
import { AppError, withTransaction } from '@shopstack/kit';
import { recordAudit } from '../adapters/audit-log.js';
import { findRefreshTokenForUpdate, markRefreshTokenUsed } from '../adapters/sessions-repository.js';
import { findUserById } from '../adapters/users-repository.js';
import { hashSecret } from '../domain/secrets.js';
import { isActive } from '../domain/user.js';
import type { RequestMeta, UsersDeps } from './deps.js';
import { issueTokens, revokeSession, type TokenPair } from './sessions.js';

const invalidRefreshToken = () =>
  new AppError(
    'unauthenticated',
    'invalid-refresh-token',
    'the refresh token is invalid, expired or revoked',
  );

const sessionOf = (stored: { userId: string; familyId: string }) => ({
  userId: stored.userId,
  sessionId: stored.familyId,
});

export async function refreshSession(
  deps: UsersDeps,
  refreshToken: string,
  meta: RequestMeta,
): Promise<TokenPair> {
  const hash = hashSecret(refreshToken);
  // The transaction returns instead of throwing when it revokes something, so the revocation commits.
  const outcome = await withTransaction(deps.pool, async (client) => {
    const stored = await findRefreshTokenForUpdate(client, hash);
    if (!stored || stored.familyRevokedAt) return 'invalid' as const;
    if (stored.usedAt) {
      // A spent token came back: whoever holds it (the user or a thief) must lose the whole session.
      await revokeSession(client, deps, sessionOf(stored), 'reuse_detected');
      await recordAudit(client, {
        event: 'token.reuse_detected',
        subjectId: stored.userId,
        ip: meta.ip,
        details: { familyId: stored.familyId },
      });
      return 'invalid' as const;
    }
    if (stored.expiresAt.getTime() <= Date.now()) return 'invalid' as const;
    const user = await findUserById(client, stored.userId);
    if (!user || !isActive(user)) {
      await revokeSession(client, deps, sessionOf(stored), 'account_inactive');
      return 'invalid' as const;
    }
    await markRefreshTokenUsed(client, hash);
    const tokens = await issueTokens(client, deps, user, stored.familyId);
    await recordAudit(client, { event: 'token.refreshed', subjectId: user.id, ip: meta.ip });
    return tokens;
  });
  if (outcome === 'invalid') throw invalidRefreshToken();
  return outcome;
}

/** Revokes the session the refresh token belongs to. Unknown tokens are ignored: nothing to revoke. */
export async function logout(deps: UsersDeps, refreshToken: string, meta: RequestMeta): Promise<void> {
  await withTransaction(deps.pool, async (client) => {
    const stored = await findRefreshTokenForUpdate(client, hashSecret(refreshToken));
    if (!stored || stored.familyRevokedAt) return;
    await revokeSession(client, deps, sessionOf(stored), 'logout');
    await recordAudit(client, { event: 'logout', subjectId: stored.userId, ip: meta.ip });
  });
}
