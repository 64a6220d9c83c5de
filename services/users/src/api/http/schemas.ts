// Request and response shapes. These zod schemas validate input and generate /openapi.json.

import { API_KEY_SCOPES, bigintDigits } from '@shopstack/kit';
import { z } from 'zod';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../domain/password-policy.js';
import { ROLES } from '../../domain/roles.js';

// Trimmed before it is checked, so a stray space is not an error (the case is normalized later).
// The document describes what is checked after trimming; a pipe alone would document a bare string.
const email = z.string().trim().pipe(z.email().max(254)).meta({ format: 'email', maxLength: 254 });
const newPassword = z.string().min(PASSWORD_MIN_LENGTH).max(PASSWORD_MAX_LENGTH);
// Existing passwords are checked, not judged: only bound their size.
const anyPassword = z.string().min(1).max(PASSWORD_MAX_LENGTH);
const opaqueToken = z.string().min(1).max(512);

const phone = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be in E.164 form, e.g. +4915112345678');

export const RegisterBody = z.object({ email, password: newPassword, phone: phone.optional() });

/** `phone: null` removes the number. */
export const UpdateProfileBody = z.object({ phone: phone.nullable() });

export const VerifyEmailBody = z.object({ token: opaqueToken });
export const LoginBody = z.object({ email, password: anyPassword });
export const SecondFactorBody = z.object({ challengeToken: opaqueToken, code: z.string().min(6).max(32) });
export const RefreshBody = z.object({ refreshToken: opaqueToken });
export const ChangePasswordBody = z.object({ currentPassword: anyPassword, newPassword });
export const ResetRequestBody = z.object({ email });
export const ResetConfirmBody = z.object({ token: opaqueToken, newPassword });
export const TotpCodeBody = z.object({ code: z.string().regex(/^\d{6}$/, 'must be 6 digits') });
export const DisableTwoFactorBody = z.object({ password: anyPassword, code: z.string().min(6).max(32) });

export const UserIdParams = z.object({ id: z.uuid() });
export const BlockBody = z.object({ reason: z.string().min(1).max(500) });
export const RoleBody = z.object({ role: z.enum(ROLES) });

export const UserListQuery = z.object({
  query: z.string().max(254).optional(),
  role: z.enum(ROLES).optional(),
  status: z.enum(['active', 'blocked', 'deleted']).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});

export const AuditQuery = z.object({
  userId: z.uuid().optional(),
  event: z.string().max(64).optional(),
  before: bigintDigits.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const UserView = z.object({
  id: z.uuid(),
  email: z.string(),
  phone: z.string().nullable(),
  role: z.enum(ROLES),
  emailVerified: z.boolean(),
  blocked: z.boolean(),
  deleted: z.boolean(),
  twoFactorEnabled: z.boolean(),
  createdAt: z.iso.datetime(),
});

export const TokenPairView = z.object({
  tokenType: z.literal('Bearer'),
  accessToken: z.string(),
  expiresIn: z.number().int(),
  refreshToken: z.string(),
});

export const LoginView = z.union([
  TokenPairView.extend({ twoFactorRequired: z.literal(false) }),
  z.object({ twoFactorRequired: z.literal(true), challengeToken: z.string(), expiresIn: z.number().int() }),
]);

export const SessionIdParams = z.object({ id: z.uuid() });

export const SessionListView = z.object({
  sessions: z.array(
    z.object({
      id: z.uuid(),
      createdAt: z.iso.datetime(),
      lastRefreshedAt: z.iso.datetime().meta({ description: 'When its token was last issued or rotated' }),
      expiresAt: z.iso.datetime().meta({ description: 'When it ends unless it is refreshed before' }),
      userAgent: z.string().nullable().meta({ description: 'The User-Agent it signed in with' }),
      ip: z.string().nullable().meta({ description: 'The client address it signed in from' }),
      current: z.boolean().meta({ description: 'The session of the token making this request' }),
    }),
  ),
});

export const UserPageView = z.object({ users: z.array(UserView), nextCursor: z.string().nullable() });

export const AuditPageView = z.object({
  entries: z.array(
    z.object({
      id: z.string(),
      occurredAt: z.string(),
      event: z.string(),
      actorId: z.string().nullable(),
      subjectId: z.string().nullable(),
      email: z.string().nullable(),
      ip: z.string().nullable(),
      details: z.record(z.string(), z.unknown()),
    }),
  ),
});

/** Printable names only: a key's name shows up in lists and the audit log. */
const keyName = z
  .string()
  .trim()
  .pipe(
    z
      .string()
      .min(1)
      .max(100)
      .regex(/^[\p{L}\p{N} ._:/-]+$/u, 'letters, digits, spaces and . _ : / -'),
  );

export const CreateApiKeyBody = z.object({
  name: keyName,
  scopes: z.array(z.enum(API_KEY_SCOPES)).min(1).max(API_KEY_SCOPES.length),
  /** Absent: the key works until it is revoked. */
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});
export const ApiKeyView = z.object({
  id: z.uuid(),
  name: z.string(),
  scopes: z.array(z.string()),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export const CreatedApiKeyView = ApiKeyView.extend({
  key: z.string().meta({ description: 'The API key; shown this once and never again' }),
});
export const ApiKeyListView = z.object({ keys: z.array(ApiKeyView) });
export const ApiKeyTokenBody = z.object({ apiKey: z.string().min(1).max(200) });
export const ApiKeyTokenView = z.object({
  tokenType: z.literal('Bearer'),
  accessToken: z.string(),
  expiresIn: z.number().int(),
  scopes: z.array(z.string()),
});
