// A back office on a throwaway database, a run-private exchange and queue, and a token issuer; its
// events are published to the exchange the way other services' relays publish them.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { connectRabbit, createLogger, createPgPool, declareExchange, type Pool } from '@shopstack/kit';
import {
  createTestDatabase,
  deleteExchange,
  requireEnv,
  type SpawnedService,
  spawnService,
  startTestIssuer,
  type TestDatabase,
  type TestIssuer,
  testExchangeName,
  testGrpcEnv,
} from '@shopstack/kit/testing';
import { backofficeConfigSchema } from '../../src/config.js';
import { type BackofficeService, startBackofficeService } from '../../src/service.js';

export const SERVICE_DIR = fileURLToPath(new URL('../..', import.meta.url));

export interface Harness {
  database: TestDatabase;
  db: Pool;
  issuer: TestIssuer;
  exchange: string;
  queue: string;
  env(overrides?: Record<string, string>): Record<string, string>;
  /** An in-process back office (both roles unless overridden). */
  start(overrides?: Record<string, string>): Promise<BackofficeService>;
  /** A back office as a child process (for SIGKILL). */
  spawn(overrides?: Record<string, string>): Promise<SpawnedService>;
  publish(type: string, payload: unknown, messageId?: string): Promise<string>;
  token(role: 'admin' | 'support' | 'customer'): Promise<string>;
  stop(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const database = await createTestDatabase('backoffice_test');
  const db = createPgPool(database.url, { max: 3, name: 'backoffice-test' });
  const issuer = await startTestIssuer();
  const exchange = testExchangeName('backoffice.events');
  const queue = `backoffice.reporting.${randomUUID().slice(0, 8)}`;
  const connection = await connectRabbit(requireEnv('AMQP_URL'), 'backoffice-test-publisher');
  const channel = await connection.createConfirmChannel();
  await declareExchange(channel, exchange);
  const started: { close(): Promise<unknown> }[] = [];
  const spawned: SpawnedService[] = [];
  const env = (overrides: Record<string, string> = {}) => ({
    HOST: '127.0.0.1',
    HTTP_PORT: '0',
    ...testGrpcEnv('backoffice'),
    GRPC_PORT: '0',
    LOG_LEVEL: 'silent',
    DATABASE_URL: database.url,
    AMQP_URL: requireEnv('AMQP_URL'),
    EVENTS_EXCHANGE: exchange,
    EVENTS_QUEUE: queue,
    JWKS_URL: issuer.jwksUrl,
    WORKER_POLL_INTERVAL_MS: '200',
    ...overrides,
  });
  return {
    database,
    db,
    issuer,
    exchange,
    queue,
    env,
    async start(overrides) {
      const service = await startBackofficeService(
        backofficeConfigSchema.parse(env(overrides)),
        createLogger({ service: 'backoffice', level: (process.env.TEST_LOG as 'info') ?? 'silent' }),
      );
      started.push(service);
      return service;
    },
    async spawn(overrides) {
      const child = await spawnService(SERVICE_DIR, env(overrides));
      spawned.push(child);
      return child;
    },
    async publish(type, payload, messageId = randomUUID()) {
      channel.publish(exchange, type, Buffer.from(JSON.stringify(payload)), {
        messageId,
        type,
        contentType: 'application/json',
        persistent: true,
      });
      await channel.waitForConfirms();
      return messageId;
    },
    token: (role) => issuer.token(`${role}-${randomUUID().slice(0, 8)}`, role),
    async stop() {
      for (const child of spawned) await child.kill().catch(() => {});
      for (const service of started.reverse()) await service.close().catch(() => {});
      await channel.close().catch(() => {});
      await connection.close().catch(() => {});
      await deleteExchange(exchange).catch(() => {});
      await db.end();
      await issuer.close();
      await database.drop();
    },
  };
}
