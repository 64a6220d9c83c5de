// What the use cases need, passed explicitly so each one is easy to follow and to test.
import type { Logger, Pool } from '@shopstack/kit';
import type { ApiKeyHasher } from '../adapters/api-key-hasher.js';
import type { PasswordHasher } from '../adapters/password-hasher.js';
import type { SigningKeyRing } from './signing-key-ring.js';

export interface UsersSettings {
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  emailVerificationTtlSeconds: number;
  passwordResetTtlSeconds: number;
  loginChallengeTtlSeconds: number;
  /** Topic exchange that integration events are published to. */
  eventsExchange: string;
  /** Shown in authenticator apps next to the account. */
  totpIssuer: string;
  apiKeysPerUser: number;
}

export interface UsersDeps {
  pool: Pool;
  hasher: PasswordHasher;
  apiKeys: ApiKeyHasher;
  keys: SigningKeyRing;
  settings: UsersSettings;
  logger: Logger;
}

/** Where a request came from, for the audit log. */
export interface RequestMeta {
  ip?: string | undefined;
  /** The client's User-Agent, kept with a session it starts. */
  userAgent?: string | undefined;
}
