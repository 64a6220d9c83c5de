// Signing in: password, then (when enabled) a second factor. Every failure looks the same from
// outside — wrong password, unknown email and blocked account alike — and counts toward the lockout.
import { AppError, withTransaction } from '@shopstack/kit';
import { recordAudit } from '../adapters/audit-log.js';
import { clearLoginFailures, lockedForSeconds, recordLoginFailure } from '../adapters/login-failures.js';
import { consumeOneTimeToken, issueOneTimeToken, peekOneTimeToken } from '../adapters/one-time-tokens.js';
import { findTwoFactor, recordUsedStep, useRecoveryCode } from '../adapters/two-factor-repository.js';
import { findCredentialsByEmail, findUserById, setPasswordHash } from '../adapters/users-repository.js';
import { normalizeEmail } from '../domain/email.js';
import { clientKey } from '../domain/lockout.js';
import { normalizeRecoveryCode } from '../domain/secrets.js';
import { matchTotp } from '../domain/totp.js';
import { isActive } from '../domain/user.js';
import type { RequestMeta, UsersDeps } from './deps.js';
import { startSession, type TokenPair } from './sessions.js';

export type LoginResult =
  | ({ twoFactorRequired: false } & TokenPair)
  | { twoFactorRequired: true; challengeToken: string; expiresIn: number };

const invalidCredentials = () =>
  new AppError('unauthenticated', 'invalid-credentials', 'the email or the password is wrong');

const locked = (seconds: number) =>
  new AppError('rate_limited', 'login-locked', 'too many failed sign-ins; try again later', {
    retryAfterSeconds: seconds,
  });

export async function login(
  deps: UsersDeps,
  input: { email: string; password: string },
  meta: RequestMeta,
): Promise<LoginResult> {
  const email = normalizeEmail(input.email);
  const clientIp = clientKey(meta.ip);
  const lockSeconds = await lockedForSeconds(deps.pool, email, clientIp);
  if (lockSeconds > 0) {
    await recordAudit(deps.pool, { event: 'login.locked', email, ip: meta.ip });
    throw locked(lockSeconds);
  }

  const credentials = await findCredentialsByEmail(deps.pool, email);
  const passwordOk = credentials
    ? await deps.hasher.verify(credentials.passwordHash, input.password)
    : await deps.hasher.verifyAgainstNothing(input.password);
  const user = credentials?.user;

  if (!user || !passwordOk || !isActive(user)) {
    const reason = !user ? 'unknown_email' : !passwordOk ? 'wrong_password' : 'inactive_account';
    const newLock = await recordLoginFailure(deps.pool, email, clientIp);
    await recordAudit(deps.pool, {
      event: 'login.failed',
      subjectId: user?.id,
      email,
      ip: meta.ip,
      details: { reason, ...(newLock > 0 ? { lockedForSeconds: newLock } : {}) },
    });
    throw invalidCredentials();
  }

  await clearLoginFailures(deps.pool, email, clientIp);
  if (credentials && deps.hasher.needsRehash(credentials.passwordHash)) {
    await setPasswordHash(deps.pool, user.id, await deps.hasher.hash(input.password), {
      keepChangedAt: true,
    });
  }
  if (user.twoFactorEnabled) {
    const challengeToken = await issueOneTimeToken(
      deps.pool,
      user.id,
      'login_challenge',
      deps.settings.loginChallengeTtlSeconds,
    );
    return { twoFactorRequired: true, challengeToken, expiresIn: deps.settings.loginChallengeTtlSeconds };
  }
  return withTransaction(deps.pool, async (client) => {
    const tokens = await startSession(client, deps, user, meta);
    await recordAudit(client, { event: 'login.succeeded', subjectId: user.id, email, ip: meta.ip });
    return { twoFactorRequired: false as const, ...tokens };
  });
}

/** Second step: the challenge from step one plus a TOTP code or a recovery code. */
export async function completeLogin(
  deps: UsersDeps,
  input: { challengeToken: string; code: string },
  meta: RequestMeta,
): Promise<TokenPair> {
  const userId = await peekOneTimeToken(deps.pool, input.challengeToken, 'login_challenge');
  const user = userId ? await findUserById(deps.pool, userId) : undefined;
  if (!user || !isActive(user)) {
    throw new AppError('unauthenticated', 'invalid-challenge', 'the sign-in challenge is invalid or expired');
  }
  const clientIp = clientKey(meta.ip);
  const lockSeconds = await lockedForSeconds(deps.pool, user.email, clientIp);
  if (lockSeconds > 0) throw locked(lockSeconds);

  const outcome = await withTransaction(deps.pool, async (client) => {
    const secondFactor = await findTwoFactor(client, user.id, true);
    if (!secondFactor?.confirmedAt) return undefined;
    const step = matchTotp(secondFactor.secret, input.code.trim(), Date.now(), secondFactor.lastUsedStep);
    if (step !== undefined) await recordUsedStep(client, user.id, step);
    else if (!(await useRecoveryCode(client, user.id, normalizeRecoveryCode(input.code)))) return undefined;
    // Spent only now: a mistyped code leaves the challenge usable (the lockout bounds the guesses).
    if (!(await consumeOneTimeToken(client, input.challengeToken, 'login_challenge'))) return undefined;
    const tokens = await startSession(client, deps, user, meta);
    await recordAudit(client, {
      event: 'login.succeeded',
      subjectId: user.id,
      email: user.email,
      ip: meta.ip,
      details: { secondFactor: step !== undefined ? 'totp' : 'recovery_code' },
    });
    return tokens;
  });
  if (outcome) {
    await clearLoginFailures(deps.pool, user.email, clientIp);
    return outcome;
  }
  await recordLoginFailure(deps.pool, user.email, clientIp);
  await recordAudit(deps.pool, {
    event: 'two_factor.failed',
    subjectId: user.id,
    email: user.email,
    ip: meta.ip,
  });
  throw new AppError('unauthenticated', 'invalid-code', 'the code is wrong or was already used');
}
