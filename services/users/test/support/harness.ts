// A users service on a throwaway database and exchange, with helpers the flows share.
import { createLogger } from '@shopstack/kit';
import {
  createTestDatabase,
  createTestQueue,
  deleteExchange,
  type Json,
  requestJson,
  requireEnv,
  type TestDatabase,
  type TestQueue,
  testExchangeName,
  testGrpcEnv,
} from '@shopstack/kit/testing';
import { usersConfigSchema } from '../../src/config.js';
import { startUsersService, type UsersService } from '../../src/service.js';

export interface Harness {
  service: UsersService;
  database: TestDatabase;
  exchange: string;
  /** Every event the service published, as seen on a queue bound to `#`. */
  events: TestQueue;
  url(path: string): string;
  call(
    path: string,
    options?: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> },
  ): ReturnType<typeof requestJson>;
  register(email?: string, password?: string): Promise<{ id: string; email: string; password: string }>;
  login(email: string, password: string): Promise<{ accessToken: string; refreshToken: string }>;
  /** A signed-in user with the given role (promoted directly in the database, as an operator would). */
  userWithRole(
    role: 'customer' | 'support' | 'admin',
  ): Promise<{ id: string; email: string; accessToken: string }>;
  eventsOfType(type: string): Json[];
  close(): Promise<void>;
}

let counter = 0;
export const uniqueEmail = (label = 'user') => `${label}.${Date.now()}.${++counter}@example.test`;
export const PASSWORD = 'correct horse battery';

export async function startHarness(overrides: Record<string, string> = {}): Promise<Harness> {
  const database = await createTestDatabase('users_test');
  const exchange = testExchangeName('users.events');
  const events = await createTestQueue(exchange, '#');
  const config = usersConfigSchema.parse({
    HOST: '127.0.0.1',
    HTTP_PORT: '0',
    ...testGrpcEnv('users'),
    GRPC_PORT: '0',
    DATABASE_URL: database.url,
    AMQP_URL: requireEnv('AMQP_URL'),
    EVENTS_EXCHANGE: exchange,
    LOG_LEVEL: 'silent',
    // Lighter argon2id than production, so the suite stays fast; still argon2id, still salted.
    ARGON2_MEMORY_KIB: '4096',
    ARGON2_TIME_COST: '1',
    ...overrides,
  });
  const service = await startUsersService(config, createLogger({ service: 'users', level: 'silent' }));
  const url = (path: string) => `${service.httpUrl}${path}`;
  const call: Harness['call'] = (path, options) => requestJson(url(path), options);

  const harness: Harness = {
    service,
    database,
    exchange,
    events,
    url,
    call,
    async register(email = uniqueEmail(), password = PASSWORD) {
      const response = await call('/api/users/register', { body: { email, password } });
      if (response.status !== 201) throw new Error(`register failed: ${JSON.stringify(response.body)}`);
      return { id: response.body.id, email, password };
    },
    async login(email, password) {
      const response = await call('/api/users/login', { body: { email, password } });
      if (response.status !== 200) throw new Error(`login failed: ${JSON.stringify(response.body)}`);
      return response.body;
    },
    async userWithRole(role) {
      const { id, email, password } = await harness.register(uniqueEmail(role));
      await service.deps.pool.query('update users set role = $2 where id = $1', [id, role]);
      const { accessToken } = await harness.login(email, password);
      return { id, email, accessToken };
    },
    eventsOfType(type) {
      return events.messages
        .filter((message) => message.properties.type === type)
        .map((message) => ({ id: message.properties.messageId, ...JSON.parse(message.content.toString()) }));
    },
    async close() {
      await service.close();
      await events.close();
      await database.drop();
      await deleteExchange(exchange);
    },
  };
  return harness;
}
