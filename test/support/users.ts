// A real users service on a throwaway database and exchange, for tests that need tokens or a live target.
import { createLogger } from '@shopstack/kit';
import { createTestDatabase, deleteExchange, testExchangeName, testGrpcEnv } from '@shopstack/kit/testing';
import { startUsersService, type UsersService, usersConfigSchema } from '@shopstack/users';
import { infraEnv } from './env.js';

export interface TestUsers {
  service: UsersService;
  close(): Promise<void>;
}

/** `config`: further settings in the environment's string form, e.g. a short EDGE_JWKS_CACHE_SECONDS. */
export async function startTestUsers(label: string, config: Record<string, string> = {}): Promise<TestUsers> {
  const database = await createTestDatabase(`${label}_users`);
  const exchange = testExchangeName(`${label}.events`);
  const service = await startUsersService(
    usersConfigSchema.parse({
      HOST: '127.0.0.1',
      HTTP_PORT: '0',
      GRPC_PORT: '0',
      ...testGrpcEnv('users'),
      DATABASE_URL: database.url,
      AMQP_URL: infraEnv('AMQP_URL'),
      EVENTS_EXCHANGE: exchange,
      LOG_LEVEL: 'silent',
      // Lighter argon2id than production so suites stay quick; still argon2id.
      ARGON2_MEMORY_KIB: '4096',
      ARGON2_TIME_COST: '1',
      ...config,
    }),
    createLogger({ service: 'users', level: 'silent' }),
  );
  return {
    service,
    async close() {
      await service.close();
      await database.drop();
      await deleteExchange(exchange);
    },
  };
}
