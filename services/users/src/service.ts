// The users service's own parts: signing keys, password hashing, the HTTP and gRPC APIs. The kit
// boots it (see @shopstack/kit's boot.ts); main.ts runs it as a process, tests start it on port 0.
import { fileURLToPath } from 'node:url';
import { bootService, defineService, type Logger, periodicWorker } from '@shopstack/kit';
import { UsersServiceDefinition } from '@shopstack/proto/shop/users/v1/users';
import { ApiKeyHasher } from './adapters/api-key-hasher.js';
import { KeySealer } from './adapters/key-sealing.js';
import { PasswordHasher } from './adapters/password-hasher.js';
import { usersRetentionRules } from './adapters/retention-rules.js';
import { deleteExpiredDenials } from './adapters/token-denials-repository.js';
import { usersGrpcCallers, usersGrpcService } from './api/grpc/users-grpc.js';
import { addAccountRoutes } from './api/http/account-routes.js';
import { addAdminRoutes } from './api/http/admin-routes.js';
import { addApiKeyRoutes } from './api/http/api-key-routes.js';
import { addAuthRoutes } from './api/http/auth-routes.js';
import { addInternalRoutes } from './api/http/internal-routes.js';
import type { UsersDeps } from './app/deps.js';
import { tokenDenialsSince } from './app/queries.js';
import { SigningKeyRing } from './app/signing-key-ring.js';
import { type UsersConfig, usersConfigSchema } from './config.js';

const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));
const KEY_CHECK_INTERVAL_MS = 60_000;
const DENIAL_CLEANUP_INTERVAL_MS = 10 * 60_000;

export const usersService = defineService({
  name: 'users',
  description: 'Identity, sessions and roles',
  configSchema: usersConfigSchema,
  async setup({ config, logger, postgres }) {
    const pool = await postgres({ url: config.DATABASE_URL, migrationsDir });
    const sealer = new KeySealer(config.SIGNING_KEY_ENCRYPTION_KEY);
    if (!config.API_KEY_PEPPER) logger.warn('API_KEY_PEPPER is not set: no API keys are issued or accepted');
    if (!sealer.enabled)
      logger.warn('SIGNING_KEY_ENCRYPTION_KEY is not set: private signing keys are stored unsealed');
    const keys = new SigningKeyRing(pool, {
      sealer,
      accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
      rotationIntervalSeconds: config.SIGNING_KEY_ROTATION_SECONDS,
      jwksCacheSeconds: config.EDGE_JWKS_CACHE_SECONDS,
      marginSeconds: config.SIGNING_KEY_MARGIN_SECONDS,
    });
    await keys.ensureActiveKey();

    const deps: UsersDeps = {
      pool,
      keys,
      logger,
      apiKeys: new ApiKeyHasher(config.API_KEY_PEPPER),
      hasher: new PasswordHasher({
        memoryKib: config.ARGON2_MEMORY_KIB,
        timeCost: config.ARGON2_TIME_COST,
        parallelism: config.ARGON2_PARALLELISM,
      }),
      settings: {
        issuer: config.JWT_ISSUER,
        audience: config.JWT_AUDIENCE,
        accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
        refreshTokenTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
        emailVerificationTtlSeconds: config.EMAIL_VERIFICATION_TTL_SECONDS,
        passwordResetTtlSeconds: config.PASSWORD_RESET_TTL_SECONDS,
        loginChallengeTtlSeconds: config.LOGIN_CHALLENGE_TTL_SECONDS,
        eventsExchange: config.EVENTS_EXCHANGE,
        totpIssuer: config.TOTP_ISSUER,
        apiKeysPerUser: config.API_KEYS_PER_USER,
      },
    };

    return {
      // This service verifies its own tokens exactly as other services do, with keys from its database.
      tokenKeys: keys.verificationKey,
      tokenDenials: (after) => tokenDenialsSince(deps, after),
      routes: [
        (routes) => addAuthRoutes(routes, deps),
        // Before the account routes, whose /api/users/:id would take /api/users/api-keys.
        (routes) => addApiKeyRoutes(routes, deps),
        (routes) => addAccountRoutes(routes, deps),
        (routes) => addAdminRoutes(routes, deps),
        (routes) => addInternalRoutes(routes, deps),
      ],
      grpc: [
        {
          definition: UsersServiceDefinition,
          implementation: usersGrpcService(deps),
          callers: usersGrpcCallers,
        },
      ],
      outbox: { pool },
      retention: { pool, rules: usersRetentionRules(config) },
      workers: [
        periodicWorker(
          'signing-key rotation',
          KEY_CHECK_INTERVAL_MS,
          () => keys.ensureActiveKey(),
          (error) => logger.warn({ err: error }, 'signing key check failed'),
        ),
        periodicWorker(
          'token denial cleanup',
          DENIAL_CLEANUP_INTERVAL_MS,
          () => deleteExpiredDenials(pool),
          (error) => logger.warn({ err: error }, 'token denial cleanup failed'),
        ),
      ],
      exposed: { deps },
    };
  },
});

export function startUsersService(config: UsersConfig, logger?: Logger) {
  return bootService(usersService, config, { logger });
}

export type UsersService = Awaited<ReturnType<typeof startUsersService>>;
