// Registration and email verification.
import { randomUUID } from 'node:crypto';
import { AppError, isUniqueViolation, withTransaction } from '@shopstack/kit';
import { recordAudit } from '../adapters/audit-log.js';
import { consumeOneTimeToken, issueOneTimeToken } from '../adapters/one-time-tokens.js';
import { findUserById, insertUser, markEmailVerified } from '../adapters/users-repository.js';
import { normalizeEmail } from '../domain/email.js';
import { passwordWeakness } from '../domain/password-policy.js';
import { toUserView, type UserView } from '../domain/user.js';
import type { RequestMeta, UsersDeps } from './deps.js';
import { emitUserEvent } from './events.js';

export interface Registration {
  email: string;
  password: string;
  phone?: string | undefined;
}

export async function register(deps: UsersDeps, input: Registration, meta: RequestMeta): Promise<UserView> {
  const email = normalizeEmail(input.email);
  const weakness = passwordWeakness(input.password, email);
  if (weakness) {
    throw new AppError('invalid', 'weak-password', `password ${weakness}`, {
      fields: [{ field: 'password', message: weakness }],
    });
  }
  // Hash before the transaction: it takes tens of milliseconds and needs no database.
  const passwordHash = await deps.hasher.hash(input.password);
  try {
    return await withTransaction(deps.pool, async (client) => {
      const user = await insertUser(client, {
        id: randomUUID(),
        email,
        phone: input.phone ?? null,
        passwordHash,
        role: 'customer',
      });
      const token = await issueOneTimeToken(
        client,
        user.id,
        'verify_email',
        deps.settings.emailVerificationTtlSeconds,
      );
      await recordAudit(client, { event: 'user.registered', subjectId: user.id, email, ip: meta.ip });
      await emitUserEvent(client, deps, 'user.registered', {
        userId: user.id,
        email,
        role: user.role,
        createdAt: user.createdAt.toISOString(),
      });
      // For the notifications service, which mails the link; the broker is internal.
      await emitUserEvent(client, deps, 'user.email_verification_requested', {
        userId: user.id,
        email,
        token,
      });
      return toUserView(user);
    });
  } catch (error) {
    if (isUniqueViolation(error, 'users_email_key')) {
      throw new AppError('conflict', 'email-taken', 'an account with this email already exists', {
        fields: [{ field: 'email', message: 'already registered' }],
      });
    }
    throw error;
  }
}

export async function verifyEmail(deps: UsersDeps, token: string, meta: RequestMeta): Promise<UserView> {
  return withTransaction(deps.pool, async (client) => {
    const userId = await consumeOneTimeToken(client, token, 'verify_email');
    if (!userId) {
      throw new AppError(
        'invalid',
        'invalid-verification-token',
        'the verification token is invalid or expired',
        {
          fields: [{ field: 'token', message: 'invalid or expired' }],
        },
      );
    }
    await markEmailVerified(client, userId);
    await recordAudit(client, { event: 'email.verified', subjectId: userId, ip: meta.ip });
    return toUserView((await findUserById(client, userId))!);
  });
}
