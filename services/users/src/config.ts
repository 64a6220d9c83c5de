// The users service's environment. Durations are in seconds.
import {
  baseConfigSchema,
  checkRetentionConfig,
  messagingConfig,
  postgresConfig,
  retentionConfig,
  retentionDays,
  sealingKeySchema,
} from '@shopstack/kit';
import { z } from 'zod';

const seconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const usersConfigSchema = baseConfigSchema
  .extend({
    HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8081),
    GRPC_PORT: z.coerce.number().int().min(0).max(65535).default(50051),
    ...postgresConfig,
    ...messagingConfig,
    /** The kit's outbox and inbox (OUTBOX_, INBOX_RETENTION_DAYS, BROKER_REDELIVERY_WINDOW_DAYS). */
    ...retentionConfig,
    /** Retention (days): one-time tokens this long past their expiry. */
    ONE_TIME_TOKEN_RETENTION_DAYS: retentionDays(7),
    /** The security audit log online this long, then archived (compressed, in this database) as it goes. */
    AUDIT_LOG_RETENTION_DAYS: retentionDays(365),
    /** Refresh tokens this long past their expiry. */
    REFRESH_TOKEN_RETENTION_DAYS: retentionDays(30),
    /** Families revoked this long ago that have no token left. */
    REFRESH_FAMILY_RETENTION_DAYS: retentionDays(30),
    /** At most 15 minutes: the deny list holds a revoked session's tokens for this long. */
    /** HMAC key (at least 32 characters) for stored API key secrets; without it no API keys are issued. */
    API_KEY_PEPPER: z.string().min(32).optional(),
    /** Most API keys one user may hold (revoked ones included). */
    API_KEYS_PER_USER: z.coerce.number().int().positive().max(1000).default(20),
    ACCESS_TOKEN_TTL_SECONDS: seconds(900).pipe(z.number().max(900)),
    REFRESH_TOKEN_TTL_SECONDS: seconds(30 * 24 * 3600),
    SIGNING_KEY_ROTATION_SECONDS: seconds(30 * 24 * 3600),
    /**
     * How long the edge caches the JWKS (the operator sets it from the figure it renders into Envoy). A
     * new key is published for longer than this, plus SIGNING_KEY_MARGIN_SECONDS, before it signs.
     */
    EDGE_JWKS_CACHE_SECONDS: seconds(300),
    /** Clock skew between replicas and verifiers; replicas also reload the key ring within half of it. */
    SIGNING_KEY_MARGIN_SECONDS: seconds(60),
    /** 32 bytes as 64 hex characters; seals the private signing keys in the database. */
    SIGNING_KEY_ENCRYPTION_KEY: sealingKeySchema.optional(),
    EMAIL_VERIFICATION_TTL_SECONDS: seconds(48 * 3600),
    PASSWORD_RESET_TTL_SECONDS: seconds(3600),
    LOGIN_CHALLENGE_TTL_SECONDS: seconds(300),
    TOTP_ISSUER: z.string().min(1).default('ShopStack'),
    /** argon2id cost (OWASP: m = 19 MiB, t = 2, p = 1). Lower only for tests. */
    ARGON2_MEMORY_KIB: z.coerce.number().int().min(1024).default(19_456),
    ARGON2_TIME_COST: z.coerce.number().int().min(1).default(2),
    ARGON2_PARALLELISM: z.coerce.number().int().min(1).default(1),
  })
  .superRefine(checkRetentionConfig);

export type UsersConfig = z.infer<typeof usersConfigSchema>;
