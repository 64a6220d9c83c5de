// Password change (knowing the current one) and reset (through a one-time token sent by email).
import { AppError, withTransaction } from '@shopstack/kit';
import { recordAudit } from '../adapters/audit-log.js';
import { clearLoginFailures } from '../adapters/login-failures.js';
import {
  consumeOneTimeToken,
  invalidateOneTimeTokens,
  issueOneTimeToken,
} from '../adapters/one-time-tokens.js';
import {
  findCredentialsByEmail,
  findPasswordHash,
  findUserById,
  setPasswordHash,
} from '../adapters/users-repository.js';
import { normalizeEmail } from '../domain/email.js';
import { passwordWeakness } from '../domain/password-policy.js';
import { isActive } from '../domain/user.js';
import type { RequestMeta, UsersDeps } from './deps.js';
import { emitUserEvent } from './events.js';
import { revokeEverySession } from './sessions.js';

function requireStrong(password: string, email: string | undefined, field: string) {
  const weakness = passwordWeakness(password, email);
  if (weakness)
    throw new AppError('invalid', 'weak-password', `password ${weakness}`, {
      fields: [{ field, message: weakness }],
    });
}

/** Every session ends: whoever knew the old password must not stay signed in. */
export async function changePassword(
  deps: UsersDeps,
  userId: string,
  input: { currentPassword: string; newPassword: string },
  meta: RequestMeta,
): Promise<void> {
  const user = await findUserById(deps.pool, userId);
  const storedHash = await findPasswordHash(deps.pool, userId);
  if (!user || !storedHash || !(await deps.hasher.verify(storedHash, input.currentPassword))) {
    throw new AppError('invalid', 'wrong-password', 'the current password is wrong', {
      fields: [{ field: 'currentPassword', message: 'wrong password' }],
    });
  }
  requireStrong(input.newPassword, user.email, 'newPassword');
  const newHash = await deps.hasher.hash(input.newPassword);
  await withTransaction(deps.pool, async (client) => {
    await setPasswordHash(client, userId, newHash);
    const revoked = await revokeEverySession(client, deps, userId, 'password_changed');
    await recordAudit(client, {
      event: 'password.changed',
      actorId: userId,
      subjectId: userId,
      ip: meta.ip,
      details: { sessionsRevoked: revoked },
    });
  });
}

/** Always succeeds from the caller's view, so it cannot be used to probe which emails exist. */
export async function requestPasswordReset(
  deps: UsersDeps,
  rawEmail: string,
  meta: RequestMeta,
): Promise<void> {
  const email = normalizeEmail(rawEmail);
  const credentials = await findCredentialsByEmail(deps.pool, email);
  if (!credentials || !isActive(credentials.user)) return;
  const { user } = credentials;
  await withTransaction(deps.pool, async (client) => {
    await invalidateOneTimeTokens(client, user.id, 'reset_password');
    const token = await issueOneTimeToken(
      client,
      user.id,
      'reset_password',
      deps.settings.passwordResetTtlSeconds,
    );
    await emitUserEvent(client, deps, 'user.password_reset_requested', { userId: user.id, email, token });
    await recordAudit(client, { event: 'password.reset_requested', subjectId: user.id, email, ip: meta.ip });
  });
}

export async function resetPassword(
  deps: UsersDeps,
  input: { token: string; newPassword: string },
  meta: RequestMeta,
): Promise<void> {
  requireStrong(input.newPassword, undefined, 'newPassword');
  const newHash = await deps.hasher.hash(input.newPassword);
  const done = await withTransaction(deps.pool, async (client) => {
    const userId = await consumeOneTimeToken(client, input.token, 'reset_password');
    const user = userId ? await findUserById(client, userId) : undefined;
    if (!user || !isActive(user)) return false;
    await setPasswordHash(client, user.id, newHash);
    await revokeEverySession(client, deps, user.id, 'password_reset');
    await clearLoginFailures(client, user.email);
    await recordAudit(client, {
      event: 'password.reset',
      subjectId: user.id,
      email: user.email,
      ip: meta.ip,
    });
    return true;
  });
  if (!done) {
    throw new AppError('invalid', 'invalid-reset-token', 'the reset token is invalid, used or expired', {
      fields: [{ field: 'token', message: 'invalid, used or expired' }],
    });
  }
}
