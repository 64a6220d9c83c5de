// Every message a booted service's consumer dead-letters is counted in messaging_dead_lettered_total
// (by queue and reason), the series the alert ShopStackMessagesDeadLettered sums: checked on the
// shared RabbitMQ by scraping the service's /metrics as Prometheus does.
import assert from 'node:assert/strict';
import {
  baseConfigSchema,
  bootService,
  connectRabbit,
  deadLetterQueueOf,
  defineService,
  loadConfig,
  messagingConfig,
  postgresConfig,
} from '../src/index.js';
import {
  createTestDatabase,
  deleteConsumerQueues,
  deleteExchange,
  queueDepth,
  randomSuffix,
  requireEnv,
  type TestDatabase,
  tempDir,
  waitFor,
} from '../src/testing/index.js';

const exchange = `kit.dead-letter-test.${randomSuffix()}`;
const queue = `kit.dead-letter-test.${randomSuffix()}`;

const poisonedService = defineService({
  name: 'kit-dead-letters',
  description: 'a consumer that cannot handle poison',
  configSchema: baseConfigSchema.extend({ ...postgresConfig, ...messagingConfig }),
  async setup(kit) {
    const pool = await kit.postgres({
      url: kit.config.DATABASE_URL,
      migrationsDir: tempDir('kit-migrations-'),
    });
    return {
      routes: [],
      consumers: [
        {
          name: 'kit.poison',
          queue,
          bindings: [{ exchange, pattern: '#' }],
          pool,
          handle: async (_client, message) => {
            if ((message.payload as { poison?: boolean }).poison) throw new Error('poison');
          },
        },
      ],
      exposed: {},
    };
  },
});

async function publish(body: string, messageId: string | undefined): Promise<void> {
  const connection = await connectRabbit(requireEnv('AMQP_URL'), 'test-publisher');
  try {
    const channel = await connection.createConfirmChannel();
    channel.publish(exchange, 'thing.made', Buffer.from(body), {
      ...(messageId ? { messageId } : {}),
      type: 'thing.made',
      persistent: true,
    });
    await channel.waitForConfirms();
  } finally {
    await connection.close();
  }
}

/** The counter's value for one reason, read from the /metrics text (0 while the series is absent). */
async function scraped(httpUrl: string, reason: string): Promise<number> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  const line = text
    .split('\n')
    .find(
      (l) =>
        l.startsWith('messaging_dead_lettered_total{') &&
        l.includes(`queue="${queue}"`) &&
        l.includes(`reason="${reason}"`),
    );
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('kit dead-letter count', function () {
  this.timeout(60_000);
  let database: TestDatabase;
  let service: Awaited<ReturnType<typeof bootService>>;

  before(async () => {
    database = await createTestDatabase('kit_dead_letters');
    const config = loadConfig(poisonedService.configSchema, {
      HOST: '127.0.0.1',
      HTTP_PORT: '0',
      GRPC_PORT: '0',
      LOG_LEVEL: 'silent',
      DATABASE_URL: database.url,
      AMQP_URL: requireEnv('AMQP_URL'),
    });
    service = await bootService(poisonedService, config);
  });

  after(async () => {
    await service?.close();
    await database?.drop();
    await deleteConsumerQueues([queue]);
    await deleteExchange(exchange);
  });

  it('counts each dead-lettered message once, by queue and reason, on /metrics', async () => {
    assert.equal(await scraped(service.httpUrl, 'handler_failed'), 0);
    await publish(JSON.stringify({ fine: true }), `ok-${randomSuffix()}`);
    await publish(JSON.stringify({ poison: true }), `poison-${randomSuffix()}`);
    await publish('{not json', `garbled-${randomSuffix()}`);
    await publish(JSON.stringify({ fine: true }), undefined);

    await waitFor(async () => (await queueDepth(deadLetterQueueOf(queue))) === 3, {
      what: 'three messages in the dead-letter queue',
    });
    // The poison failed twice (one requeue, then dead-lettered): counted once, not per try.
    assert.equal(await scraped(service.httpUrl, 'handler_failed'), 1);
    assert.equal(await scraped(service.httpUrl, 'unreadable'), 1);
    assert.equal(await scraped(service.httpUrl, 'missing_message_id'), 1);
    const text = await (await fetch(`${service.httpUrl}/metrics`)).text();
    assert.match(text, /messaging_dead_lettered_total\{[^}]*service="kit-dead-letters"/);
  });
});
