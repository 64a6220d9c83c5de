// A real users service and a notifications service on throwaway databases, one exchange and queue
// for this run, sending to the local Mailpit. Links in messages point at the users service directly
// (PUBLIC_URL); `follow` sends a link's path to whichever service owns it, as the edge would.
import { randomUUID } from 'node:crypto';
import { connectRabbit, createLogger } from '@shopstack/kit';
import {
  createTestDatabase,
  deleteConsumerQueues,
  type Json,
  mailpit,
  requireEnv,
  type TestDatabase,
  testGrpcEnv,
} from '@shopstack/kit/testing';
import {
  paymentTopUpCompleted,
  paymentTransferReceived,
  paymentWithdrawalCompleted,
} from '@shopstack/proto/messages';
import {
  startHarness as startUsersHarness,
  type Harness as UsersHarness,
} from '../../../users/test/support/harness.js';
import { notificationsConfigSchema } from '../../src/config.js';
import { type NotificationsService, startNotificationsService } from '../../src/service.js';

export const TEST_UNSUBSCRIBE_SECRET = 'test-unsubscribe-secret-0123456789abcdef';
export const TEST_WEBHOOK_SECRET_KEY = '5e'.repeat(32);

export interface Harness {
  users: UsersHarness;
  service: NotificationsService;
  database: TestDatabase;
  mail: ReturnType<typeof mailpit>;
  queue: string;
  /** Publishes an integration event on the run's exchange, as another service's relay would. */
  publish(type: string, payload: unknown, messageId?: string): Promise<string>;
  /** GET (or POST) a link from a message against the service that owns its path. */
  follow(link: string, method?: string): Promise<{ status: number; body: Json }>;
  notificationsUrl(path: string): string;
  stop(): Promise<void>;
  /** Starts the notifications service again on the same database and queue (after `stopService`). */
  restart(overrides?: Record<string, string>): Promise<void>;
  stopService(): Promise<void>;
}

export function notificationsEnv(h: {
  users: UsersHarness;
  database: TestDatabase;
  queue: string;
}): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    HTTP_PORT: '0',
    ...testGrpcEnv('notifications'),
    GRPC_PORT: '0',
    LOG_LEVEL: 'silent',
    DATABASE_URL: h.database.url,
    AMQP_URL: requireEnv('AMQP_URL'),
    EVENTS_EXCHANGE: h.users.exchange,
    EVENTS_QUEUE: h.queue,
    JWKS_URL: h.users.url('/.well-known/jwks.json'),
    USERS_GRPC_ADDRESS: h.users.service.grpcAddress!,
    PUBLIC_URL: h.users.service.httpUrl,
    SMTP_URL: requireEnv('SMTP_URL'),
    SMTP_REQUIRE_TLS: 'false',
    UNSUBSCRIBE_SECRET: TEST_UNSUBSCRIBE_SECRET,
    WEBHOOK_SECRET_ENCRYPTION_KEY: TEST_WEBHOOK_SECRET_KEY,
    SANDBOX_PROVIDERS: 'true',
    DISPATCH_INTERVAL_MS: '100',
    RETRY_BASE_MS: '200',
    RETRY_MAX_MS: '1000',
    BREAKER_RESET_MS: '500',
  };
}

export async function startHarness(overrides: Record<string, string> = {}): Promise<Harness> {
  const users = await startUsersHarness();
  const database = await createTestDatabase('notifications_test');
  const queue = `notifications.events.${randomUUID().slice(0, 8)}`;
  const start = (extra: Record<string, string> = {}) =>
    startNotificationsService(
      notificationsConfigSchema.parse({
        ...notificationsEnv({ users, database, queue }),
        ...overrides,
        ...extra,
      }),
      createLogger({ service: 'notifications', level: 'silent' }),
    );
  let service = await start();
  const rabbit = await connectRabbit(requireEnv('AMQP_URL'), 'notifications-test-publisher');
  const channel = await rabbit.createConfirmChannel();
  const harness: Harness = {
    users,
    get service() {
      return service;
    },
    database,
    mail: mailpit(),
    queue,
    async publish(type, payload, messageId = randomUUID()) {
      channel.publish(users.exchange, type, Buffer.from(JSON.stringify(payload)), {
        messageId,
        type,
        persistent: true,
        contentType: 'application/json',
      });
      await channel.waitForConfirms();
      return messageId;
    },
    async follow(link, method = 'GET') {
      const url = new URL(link);
      const base = url.pathname.startsWith('/api/notifications') ? service.httpUrl : users.service.httpUrl;
      const response = await fetch(`${base}${url.pathname}${url.search}`, { method });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    notificationsUrl: (path) => `${service.httpUrl}${path}`,
    async stopService() {
      await service.close();
    },
    async restart(extra = {}) {
      service = await start(extra);
    },
    async stop() {
      await service.close().catch(() => {});
      await rabbit.close().catch(() => {});
      await deleteConsumerQueues([queue]).catch(() => {});
      await users.close();
      await database.drop();
    },
  };
  return harness;
}

/** Payloads of payments' money events as their contracts define them (payments will write these). */
export const moneyEvent = {
  topUp: (userId: string, amountMinor: string) =>
    paymentTopUpCompleted.encode({
      userId,
      paymentId: randomUUID(),
      amountMinor,
      feeMinor: '0',
      currency: 'EUR',
      completedAt: new Date().toISOString(),
    }),
  transfer: (userId: string, amountMinor: string) =>
    paymentTransferReceived.encode({
      userId,
      fromUserId: randomUUID(),
      transferId: randomUUID(),
      amountMinor,
      currency: 'EUR',
      completedAt: new Date().toISOString(),
    }),
  withdrawal: (userId: string, amountMinor: string) =>
    paymentWithdrawalCompleted.encode({
      userId,
      paymentId: randomUUID(),
      amountMinor,
      feeMinor: '0',
      currency: 'EUR',
      completedAt: new Date().toISOString(),
    }),
};
