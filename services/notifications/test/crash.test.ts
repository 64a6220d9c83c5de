// The service SIGKILLed while it sends 500 emails: after a restart every notification is delivered and
// recorded once. Duplicates reach the SMTP server only where the crash fell between sending and
// recording, and then they carry the same Message-ID, so a mail client can tell.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { connectRabbit } from '@shopstack/kit';
import {
  createTestDatabase,
  deleteConsumerQueues,
  deleteExchange,
  randomSuffix,
  requireEnv,
  type SpawnedService,
  serviceDir,
  spawnService,
  type TestDatabase,
  testExchangeName,
  waitFor,
} from '@shopstack/kit/testing';
import pg from 'pg';

const COUNT = 500;

describe('notifications: SIGKILL while sending 500 emails', function () {
  this.timeout(180_000);
  const run = randomSuffix();
  const domain = `crash-${run}.example.test`;
  const exchange = testExchangeName('notifications.crash');
  const queue = `notifications.crash.${run}`;
  let database: TestDatabase;
  let db: pg.Client;
  let service: SpawnedService | undefined;

  const env = () => ({
    DATABASE_URL: database.url,
    AMQP_URL: requireEnv('AMQP_URL'),
    EVENTS_EXCHANGE: exchange,
    EVENTS_QUEUE: queue,
    // Every event here carries its address, so the users service is never asked.
    USERS_GRPC_ADDRESS: '127.0.0.1:9',
    JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
    SMTP_URL: requireEnv('SMTP_URL'),
    SMTP_REQUIRE_TLS: 'false',
    UNSUBSCRIBE_SECRET: `crash-test-unsubscribe-secret-${run}-0123456789`,
    WEBHOOK_SECRET_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    EMAIL_RATE_PER_SECOND: '100',
    SEND_LEASE_MS: '3000',
    DISPATCH_INTERVAL_MS: '100',
  });
  const sentCount = async () =>
    (await db.query("select count(*)::int as n from deliveries where status = 'sent'")).rows[0].n as number;

  before(async () => {
    database = await createTestDatabase('notifications_crash');
    service = await spawnService(serviceDir('notifications'), env());
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
  });

  after(async () => {
    await service?.stop();
    await db?.end();
    await deleteConsumerQueues([queue]).catch(() => {});
    await deleteExchange(exchange).catch(() => {});
    await database?.drop();
  });

  it('delivers every one after a restart, each recorded once, duplicates only with the same Message-ID', async () => {
    const connection = await connectRabbit(requireEnv('AMQP_URL'), 'crash-test-publisher');
    const channel = await connection.createConfirmChannel();
    for (let i = 0; i < COUNT; i++) {
      const payload = { userId: randomUUID(), email: `u${i}@${domain}`, token: `token-${i}` };
      channel.publish(exchange, 'user.email_verification_requested', Buffer.from(JSON.stringify(payload)), {
        messageId: randomUUID(),
        type: 'user.email_verification_requested',
        persistent: true,
      });
    }
    await channel.waitForConfirms();
    await connection.close();

    // Kill it mid-stream: some sent, some claimed and in flight, most still waiting.
    await waitFor(async () => (await sentCount()) >= 100, { timeoutMs: 60_000, what: '100 sent' });
    service!.child.kill('SIGKILL');
    await service!.stop();
    const sentBeforeCrash = await sentCount();
    assert.ok(sentBeforeCrash < COUNT, 'the crash fell while sending');

    service = await spawnService(serviceDir('notifications'), env());
    await waitFor(async () => (await sentCount()) === COUNT, {
      timeoutMs: 120_000,
      what: `all ${COUNT} sent`,
    });

    const rows = (await db.query('select id, recipient, status from deliveries')).rows as {
      id: string;
      recipient: string;
    }[];
    assert.equal(rows.length, COUNT, 'one delivery per event, however often it was redelivered');
    assert.equal(new Set(rows.map((r) => r.recipient)).size, COUNT);

    const search = await fetch(
      `${requireEnv('MAILPIT_URL')}/api/v1/search?query=${encodeURIComponent(`to:"${domain}"`)}&limit=5000`,
    );
    const found = (await search.json()) as { messages: { MessageID: string; To: { Address: string }[] }[] };
    const byRecipient = new Map<string, string[]>();
    for (const message of found.messages) {
      const to = message.To[0]!.Address;
      byRecipient.set(to, [...(byRecipient.get(to) ?? []), message.MessageID]);
    }
    let duplicates = 0;
    for (const row of rows) {
      const ids = byRecipient.get(row.recipient) ?? [];
      assert.ok(ids.length >= 1, `${row.recipient} got its email`);
      duplicates += ids.length - 1;
      for (const id of ids)
        assert.equal(id, `${row.id}@notifications.shopstack.test`, `${row.recipient}: same Message-ID`);
    }
    console.log(
      `      sent before the crash ${sentBeforeCrash}, SMTP duplicates after the restart ${duplicates}`,
    );
  });
});
