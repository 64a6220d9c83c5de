// TOTP second factor: enrol (secret shown once), confirm with a first code (recovery codes shown
// once), disable with password and a code.
import { AppError, withTransaction } from '@shopstack/kit';
import { recordAudit } from '../adapters/audit-log.js';
import {
  confirmTwoFactor,
  deleteTwoFactor,
  findTwoFactor,
  replaceRecoveryCodes,
  savePendingSecret,
  useRecoveryCode,
} from '../adapters/two-factor-repository.js';
import { findPasswordHash, findUserById } from '../adapters/users-repository.js';
import { newRecoveryCode, normalizeRecoveryCode } from '../domain/secrets.js';
import { matchTotp, newTotpSecret, otpauthUrl } from '../domain/totp.js';
import type { RequestMeta, UsersDeps } from './deps.js';

export const RECOVERY_CODE_COUNT = 10;

const wrongCode = () =>
  new AppError('invalid', 'invalid-code', 'the code is wrong or was already used', {
    fields: [{ field: 'code', message: 'wrong or already used' }],
  });

export async function enrollTwoFactor(deps: UsersDeps, userId: string) {
  const user = await findUserById(deps.pool, userId);
  if (!user) throw new AppError('not_found', 'user-not-found', 'no such user');
  const secret = newTotpSecret();
  if (!(await savePendingSecret(deps.pool, userId, secret))) {
    throw new AppError(
      'conflict',
      'two-factor-already-enabled',
      'two-factor sign-in is already on; disable it first',
    );
  }
  return { secret, otpauthUrl: otpauthUrl(secret, user.email, deps.settings.totpIssuer) };
}

export async function confirmTwoFactorEnrollment(
  deps: UsersDeps,
  userId: string,
  code: string,
  meta: RequestMeta,
): Promise<{ recoveryCodes: string[] }> {
  const result = await withTransaction(deps.pool, async (client) => {
    const pending = await findTwoFactor(client, userId, true);
    if (!pending) return 'not-enrolled' as const;
    if (pending.confirmedAt) return 'already' as const;
    const step = matchTotp(pending.secret, code.trim(), Date.now(), pending.lastUsedStep);
    if (step === undefined) return 'wrong' as const;
    await confirmTwoFactor(client, userId, step);
    const recoveryCodes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    await replaceRecoveryCodes(client, userId, recoveryCodes);
    await recordAudit(client, {
      event: 'two_factor.enabled',
      actorId: userId,
      subjectId: userId,
      ip: meta.ip,
    });
    return { recoveryCodes };
  });
  if (result === 'not-enrolled')
    throw new AppError('conflict', 'two-factor-not-enrolled', 'start the enrolment first');
  if (result === 'already')
    throw new AppError('conflict', 'two-factor-already-enabled', 'two-factor sign-in is already on');
  if (result === 'wrong') throw wrongCode();
  return result;
}

export async function disableTwoFactor(
  deps: UsersDeps,
  userId: string,
  input: { password: string; code: string },
  meta: RequestMeta,
): Promise<void> {
  const storedHash = await findPasswordHash(deps.pool, userId);
  if (!storedHash || !(await deps.hasher.verify(storedHash, input.password))) {
    throw new AppError('invalid', 'wrong-password', 'the password is wrong', {
      fields: [{ field: 'password', message: 'wrong password' }],
    });
  }
  const result = await withTransaction(deps.pool, async (client) => {
    const current = await findTwoFactor(client, userId, true);
    if (!current?.confirmedAt) return 'not-enabled' as const;
    const step = matchTotp(current.secret, input.code.trim(), Date.now(), current.lastUsedStep);
    if (step === undefined && !(await useRecoveryCode(client, userId, normalizeRecoveryCode(input.code)))) {
      return 'wrong' as const;
    }
    await deleteTwoFactor(client, userId);
    await recordAudit(client, {
      event: 'two_factor.disabled',
      actorId: userId,
      subjectId: userId,
      ip: meta.ip,
    });
    return 'done' as const;
  });
  if (result === 'not-enabled')
    throw new AppError('conflict', 'two-factor-not-enabled', 'two-factor sign-in is off');
  if (result === 'wrong') throw wrongCode();
}
