// Notifications benchmark: emails per second from integration event to Mailpit, with p50 / p99 from
// "event published" to "delivery recorded sent", against nodemailer sending straight to the same SMTP
// server; then a 5,000-message backlog built while the SMTP server is unreachable, drained once it is
// back (time to empty, nothing lost). Talks only to servers on 127.0.0.1.
//
//   npm run infra -- up postgres rabbitmq mailpit
//   node --import tsx --conditions shopstack-source bench/notifications/run.ts [emails, default 500]
import '../../test/support/infra-env.cjs'; // addresses from `npm run infra -- up`
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { connectRabbit, createLogger } from '@shopstack/kit';
import { createTestDatabase, freePort, randomSuffix, requireEnv, waitFor } from '@shopstack/kit/testing';
import { notificationsConfigSchema, startNotificationsService } from '@shopstack/notifications';
import nodemailer from 'nodemailer';
import { printFigures, summarize, timed } from '../support/timing.js';

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
    GRPC_PORT: '0',
    LOG_LEVEL: 'silent',
    USERS_GRPC_ADDRESS: '127.0.0.1:9', // every event here carries its address
    JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
    SMTP_URL: smtpUrl,
    SMTP_REQUIRE_TLS: 'false',
    UNSUBSCRIBE_SECRET: `bench-unsubscribe-secret-${run}-0123456789`,
    EMAIL_RATE_PER_SECOND: String(RATE),
    DISPATCH_INTERVAL_MS: '50',
    BREAKER_RESET_MS: '1000',
    RETRY_BASE_MS: '500',
    RETRY_MAX_MS: '2000',
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
  console.log('(webhook deliveries are not built yet, so there is no webhook figure)');
} finally {
  await service.close().catch(() => {});
  await channel.deleteQueue(queue).catch(() => {});
  await channel.deleteQueue(`${queue}.dead`).catch(() => {});
  await channel.deleteExchange(exchange).catch(() => {});
  await rabbit.close().catch(() => {});
  await database.drop();
}
