// Wiring: configuration in, a running users service out. Used by main.ts and by the tests.

import { fileURLToPath } from 'node:url';
import {
  connectRabbit,
  createGrpcServer,
  createHttpApp,
  createJwtVerifier,
  createLogger,
  createMetrics,
  createPgPool,
  declareExchange,
  HttpRoutes,
  type Logger,
  OutboxRelay,
  type Pool,
  pgReadiness,
  type RunningService,
  runMigrations,
  setupTracing,
  startService,
} from '@shopstack/kit';
import { loadDescriptorSet } from '@shopstack/proto';
import { UsersServiceDefinition } from '@shopstack/proto/shop/users/v1/users';
import { KeySealer } from './adapters/key-sealing.js';
import { PasswordHasher } from './adapters/password-hasher.js';
import { usersGrpcService } from './api/grpc/users-grpc.js';
import { addAccountRoutes } from './api/http/account-routes.js';
import { addAdminRoutes } from './api/http/admin-routes.js';
import { addAuthRoutes } from './api/http/auth-routes.js';
import type { UsersDeps } from './app/deps.js';
import { SigningKeyRing } from './app/signing-key-ring.js';
import type { UsersConfig } from './config.js';

const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));
const KEY_CHECK_INTERVAL_MS = 60_000;

export interface UsersService extends RunningService {
  deps: UsersDeps;
  relay: OutboxRelay | undefined;
}

export async function startUsersService(config: UsersConfig, logger?: Logger): Promise<UsersService> {
  setupTracing({
    service: 'users',
    exporter: config.OTEL_TRACES_EXPORTER,
    otlpEndpoint: config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
  });
  const log = logger ?? createLogger({ service: 'users', level: config.LOG_LEVEL });
  await runMigrations({ databaseUrl: config.DATABASE_URL, dir: migrationsDir, logger: log });
  const pool: Pool = createPgPool(config.DATABASE_URL, { name: 'users' });
  const metrics = createMetrics('users');

  // The exchange must exist before the relay publishes to it.
  const broker = await connectRabbit(config.AMQP_URL, 'users-setup');
  await declareExchange(await broker.createChannel(), config.EVENTS_EXCHANGE);
  await broker.close();

  const sealer = new KeySealer(config.SIGNING_KEY_ENCRYPTION_KEY);
  if (!sealer.enabled)
    log.warn('SIGNING_KEY_ENCRYPTION_KEY is not set: private signing keys are stored unsealed');
  const keys = new SigningKeyRing(pool, {
    sealer,
    accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    rotationIntervalSeconds: config.SIGNING_KEY_ROTATION_SECONDS,
  });
  try {
    await keys.ensureActiveKey();
  } catch (error) {
    await pool.end();
    throw error;
  }
  const keyCheck = setInterval(() => {
    keys.ensureActiveKey().catch((error) => log.warn({ err: error }, 'signing key check failed'));
  }, KEY_CHECK_INTERVAL_MS);
  keyCheck.unref();

  const deps: UsersDeps = {
    pool,
    keys,
    logger: log,
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
    },
  };

  // This service verifies its own tokens exactly as other services do, with keys from its database.
  const verifier = createJwtVerifier({
    keys: keys.verificationKey,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
  });
  const routes = new HttpRoutes({ verifier, bodyLimitBytes: config.HTTP_BODY_LIMIT_BYTES });
  addAuthRoutes(routes, deps);
  addAccountRoutes(routes, deps);
  addAdminRoutes(routes, deps);

  let accepting = true;
  const http = createHttpApp({
    service: 'users',
    logger: log,
    metrics,
    routes,
    openApi: { title: 'ShopStack users', version: '1.0.0', description: 'Identity, sessions and roles' },
    readiness: [pgReadiness(pool)],
    isAccepting: () => accepting,
  });
  const grpc = createGrpcServer({
    logger: log,
    metrics,
    descriptorSet: loadDescriptorSet(),
    services: [{ definition: UsersServiceDefinition, implementation: usersGrpcService(deps) }],
  });

  const relay =
    config.OUTBOX_RELAY === 'on'
      ? new OutboxRelay({ pool, amqpUrl: config.AMQP_URL, logger: log })
      : undefined;
  relay?.start();

  const running = await startService({
    logger: log,
    host: config.HOST,
    httpPort: config.HTTP_PORT,
    http,
    grpcPort: config.GRPC_PORT,
    grpc,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    onStopAccepting: () => {
      accepting = false;
    },
    closers: [() => pool.end(), async () => clearInterval(keyCheck), async () => relay?.stop()],
  });
  return { ...running, deps, relay };
}
