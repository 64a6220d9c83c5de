// Notifications benchmark: emails per second from integration event to Mailpit, with p50 / p99 from
// "event published" to "delivery recorded sent", against nodemailer sending straight to the same SMTP
// server; then a 5,000-message backlog built while the SMTP server is unreachable, drained once it is
// back (time to empty, nothing lost); and webhook deliveries per second from event to a local
// receiver, signed per Standard Webhooks, against a bare POST loop to the same receiver. Talks only to
// servers on 127.0.0.1.
//
//   npm run infra -- up postgres rabbitmq mailpit
//   node --import tsx --conditions shopstack-source bench/notifications/run.ts [emails, default 500]
import '../../test/support/infra-env.cjs'; // addresses from `npm run infra -- up`
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { connectRabbit, createLogger } from '@shopstack/kit';
import {
  createTestDatabase,
  freePort,
  prepareTestIdentities,
  randomSuffix,
  requireEnv,
  testGrpcEnv,
  waitFor,
} from '@shopstack/kit/testing';
import { notificationsConfigSchema, startNotificationsService } from '@shopstack/notifications';
import { orderCancelled } from '@shopstack/proto/messages';
import nodemailer from 'nodemailer';
import { registerEndpoint } from '../../services/notifications/src/app/webhooks.js';
import { startReceiver } from '../../services/notifications/test/support/receiver.js';
import { printFigures, summarize, timed } from '../support/timing.js';

// The services' gRPC identities from a test CA, as mocha's root hook makes them for the suites.
await prepareTestIdentities();

const COUNT = Number(process.argv[2] ?? 500);
const BACKLOG = 5_000;
const RATE = 1_000;
const smtpUrl = requireEnv('SMTP_URL');
const run = randomSuffix();
const exchange = `bench.notifications.${run}`;
const queue = `bench.notifications.${run}`;
const database = await createTestDatabase('notifications_bench');

const config = (overrides: Record<string, string> = {}) =>
  notificationsConfigSchema.parse({
    DATABASE_URL: database.url,
    AMQP_URL: requireEnv('AMQP_URL'),
    EVENTS_EXCHANGE: exchange,
    EVENTS_QUEUE: queue,
    HTTP_PORT: '0',
    ...testGrpcEnv('notifications'),
    GRPC_PORT: '0',
    LOG_LEVEL: 'silent',
    USERS_GRPC_ADDRESS: '127.0.0.1:9', // every event here carries its address
    JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
    SMTP_URL: smtpUrl,
    SMTP_REQUIRE_TLS: 'false',
    UNSUBSCRIBE_SECRET: `bench-unsubscribe-secret-${run}-0123456789`,
    WEBHOOK_SECRET_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    EMAIL_RATE_PER_SECOND: String(RATE),
    DISPATCH_INTERVAL_MS: '50',
    BREAKER_RESET_MS: '1000',
    RETRY_BASE_MS: '500',
    RETRY_MAX_MS: '2000',
    // The benchmark's webhook receiver listens on loopback, over plain http.
    WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8',
    WEBHOOK_ALLOW_PLAIN_HTTP: 'true',
    WEBHOOK_DISPATCH_BATCH: '100',
    ...overrides,
  });
const start = (overrides?: Record<string, string>) =>
  startNotificationsService(config(overrides), createLogger({ service: 'notifications', level: 'silent' }));

const rabbit = await connectRabbit(requireEnv('AMQP_URL'), 'bench-publisher');
const channel = await rabbit.createConfirmChannel();
await channel.assertExchange(exchange, 'topic', { durable: true });
async function publish(count: number, label: string): Promise<Map<string, number>> {
  const publishedAt = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const email = `${label}${i}@bench-${run}.example.test`;
    publishedAt.set(email, performance.timeOrigin + performance.now());
    channel.publish(
      exchange,
      'user.email_verification_requested',
      Buffer.from(JSON.stringify({ userId: randomUUID(), email, token: `t${i}` })),
      { messageId: randomUUID(), type: 'user.email_verification_requested', persistent: true },
    );
  }
  await channel.waitForConfirms();
  return publishedAt;
}

let service = await start();
const sent = async (prefix: string) =>
  (
    await service.deps.pool.query<{ recipient: string; sent_at: Date }>(
      "select recipient, sent_at from deliveries where status = 'sent' and recipient like $1",
      [`${prefix}%`],
    )
  ).rows;

try {
  console.log(`notifications benchmark — ${COUNT} emails, provider rate ${RATE}/s, Node ${process.version}`);

  // Baseline: nodemailer, pooled like the service's transport, straight to the same SMTP server.
  const transport = nodemailer.createTransport({ url: smtpUrl, pool: true, maxConnections: 10 });
  const baseline = await timed(COUNT, 20, (i) =>
    transport.sendMail({
      from: 'bench@shopstack.test',
      to: `direct${i}@bench-${run}.example.test`,
      subject: 'Confirm your email address',
      text: 'baseline',
      html: '<p>baseline</p>',
    }),
  );
  transport.close();

  // Through the service: event published → consumed through the inbox → stored → sent → recorded.
  const t0 = performance.now();
  const publishedAt = await publish(COUNT, 'svc');
  const delivered = await waitFor(
    async () => {
      const rows = await sent('svc');
      return rows.length === COUNT ? rows : undefined;
    },
    { timeoutMs: 300_000, intervalMs: 200, what: 'every email sent' },
  );
  const seconds = (performance.now() - t0) / 1000;
  const latencies = delivered.map((r) => r.sent_at.getTime() - publishedAt.get(r.recipient)!);
  printFigures('emails into Mailpit', [
    ['nodemailer straight to SMTP (baseline, 20 at a time)', baseline],
    [
      'event → inbox → delivery → SMTP → recorded',
      summarize(latencies, seconds),
      'latency: published → sent',
    ],
  ]);

  // Backpressure: the SMTP server unreachable while 5,000 events arrive, then back.
  await service.close();
  const closed = await freePort();
  service = await start({ SMTP_URL: `smtp://127.0.0.1:${closed}` });
  await publish(BACKLOG, 'backlog');
  await waitFor(
    async () =>
      (
        await service.deps.pool.query(
          "select count(*)::int as n from deliveries where recipient like 'backlog%'",
        )
      ).rows[0].n === BACKLOG,
    { timeoutMs: 300_000, intervalMs: 500, what: 'the backlog stored' },
  );
  await service.close();
  const t1 = performance.now();
  service = await start();
  await waitFor(async () => (await sent('backlog')).length === BACKLOG, {
    timeoutMs: 600_000,
    intervalMs: 500,
    what: 'the backlog drained',
  });
  const drainSeconds = (performance.now() - t1) / 1000;
  const lost = await service.deps.pool.query(
    "select count(*)::int as n from deliveries where recipient like 'backlog%' and status <> 'sent'",
  );
  console.log(
    `\nbacklog of ${BACKLOG} built during an SMTP outage drained in ${drainSeconds.toFixed(1)} s ` +
      `(${(BACKLOG / drainSeconds).toFixed(0)}/s at a provider rate of ${RATE}/s); not sent: ${lost.rows[0].n}`,
  );

  // Webhooks: order.cancelled events for one user with an endpoint on a local receiver.
  const receiver = await startReceiver();
  try {
    const postBaseline = await timed(COUNT, 20, () =>
      fetch(receiver.url('/baseline'), { method: 'POST', body: '{"type":"baseline"}' }).then((r) => r.text()),
    );
    const owner = randomUUID();
    const { endpoint } = await registerEndpoint(
      service.deps,
      { id: owner, role: 'customer' },
      { url: receiver.url('/hooks'), eventTypes: ['order.cancelled'] },
    );
    const t2 = performance.now();
    const hookPublishedAt = new Map<string, number>();
    for (let i = 0; i < COUNT; i++) {
      const orderId = `bench-${run}-${i}`;
      hookPublishedAt.set(orderId, performance.timeOrigin + performance.now());
      const payload = orderCancelled.encode({
        orderId,
        userId: owner,
        reason: 'out_of_stock',
        totalMinor: '100',
        currency: 'EUR',
      });
      channel.publish(exchange, orderCancelled.type, Buffer.from(JSON.stringify(payload)), {
        messageId: randomUUID(),
        type: orderCancelled.type,
        persistent: true,
      });
    }
    await channel.waitForConfirms();
    const hooks = await waitFor(
      async () => {
        const { rows } = await service.deps.pool.query<{ order_id: string; delivered_at: Date }>(
          `select payload->>'orderId' as order_id, delivered_at from webhook_deliveries
            where endpoint_id = $1 and status = 'delivered'`,
          [endpoint.id],
        );
        return rows.length === COUNT ? rows : undefined;
      },
      { timeoutMs: 300_000, intervalMs: 200, what: 'every webhook delivered' },
    );
    const hookSeconds = (performance.now() - t2) / 1000;
    printFigures('webhooks into a local receiver', [
      ['bare POST loop to the receiver (baseline, 20 at a time)', postBaseline],
      [
        'event → inbox → delivery → signed POST → recorded',
        summarize(
          hooks.map((r) => r.delivered_at.getTime() - hookPublishedAt.get(r.order_id)!),
          hookSeconds,
        ),
        'latency: published → delivered',
      ],
    ]);
    console.log(`requests at the receiver: ${receiver.on('/hooks').length} for ${COUNT} events`);
  } finally {
    await receiver.close();
  }
} finally {
  await service.close().catch(() => {});
  await channel.deleteQueue(queue).catch(() => {});
  await channel.deleteQueue(`${queue}.dead`).catch(() => {});
  await channel.deleteExchange(exchange).catch(() => {});
  await rabbit.close().catch(() => {});
  await database.drop();
}
