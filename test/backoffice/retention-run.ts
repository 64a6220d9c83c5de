// The back office's retention run on the real shop: the back office asks by event, and each service
// (users, catalog, orders, notifications on PostgreSQL, payments on MongoDB) purges its own old
// published outbox rows, never unpublished ones, and notifications its delivery log past its age,
// never pending deliveries. Called by back-office-on-the-shop.test.ts, which starts the shop.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { randomSuffix, waitFor } from '@shopstack/kit/testing';
import { MongoClient } from 'mongodb';
import pg from 'pg';
import type { RunningShop } from '../checkout/support/shop.js';
import { infraEnv } from '../support/env.js';

export async function retentionRunPurgesEachService(shop: RunningShop, requestRun: () => Promise<unknown>) {
  const tag = `retention-${randomSuffix()}`;
  const postgres = [shop.usersDb, shop.catalogDb, shop.ordersDb, shop.notificationsDb];
  const outboxRow = (db: pg.Client, key: string, published: boolean) =>
    db.query(
      `insert into kit_outbox (message_id, exchange, routing_key, message_type, payload, created_at, published_at)
       values ($1, 'x', $2, 't', '{}', now() - interval '60 days', $3::timestamptz)`,
      [randomUUID(), key, published ? new Date(Date.now() - 60 * 86_400_000) : null],
    );
  const clients = await Promise.all(
    postgres.map(async ({ url }) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      return client;
    }),
  );
  const mongo = new MongoClient(infraEnv('MONGO_URL'), { useBigInt64: true });
  try {
    for (const client of clients) {
      await outboxRow(client, `${tag}.old`, true);
      await outboxRow(client, `${tag}.unpublished`, false);
    }
    // Notifications' delivery log: sent and given up long ago, sent recently, and pending long. The
    // pending one waits for a retry due tomorrow: due now, the running dispatcher could finish it
    // (sent or given up) before the purge, which would then rightly take it (seen once in CI).
    const notifications = clients.at(-1)!;
    const delivery = (name: string, status: string, ageDays: number) =>
      notifications.query(
        `insert into deliveries (id, source_id, user_id, channel, category, template, locale, variables, status, created_at, next_attempt_at)
         values ($1, $2, $3, 'email', 'receipts', 'order_confirmed', 'en', '{}', $4, now() - make_interval(days => $5), now() + interval '1 day')`,
        [randomUUID(), `${tag}.${name}`, randomUUID(), status, ageDays],
      );
    await delivery('sent-old', 'sent', 120);
    await delivery('dead-old', 'dead', 120);
    await delivery('sent-recent', 'sent', 30);
    await delivery('pending-old', 'pending', 120);
    const outbox = mongo.db(shop.paymentsDb).collection<{ _id: string }>('outbox');
    const old = new Date(Date.now() - 60 * 86_400_000);
    const doc = (id: string, publishedAt: Date | null) => ({
      _id: id,
      exchange: 'x',
      routingKey: 't',
      type: 't',
      payload: {},
      headers: {},
      createdAt: old,
      publishedAt,
    });
    await outbox.insertMany([doc(`${tag}.old`, old), doc(`${tag}.unpublished`, null)]);

    await requestRun();
    const left = async () => ({
      postgres: await Promise.all(
        clients.map(async (client) =>
          (
            await client.query('select routing_key from kit_outbox where routing_key like $1', [`${tag}.%`])
          ).rows.map((row) => row.routing_key as string),
        ),
      ),
      payments: (await outbox.find({ _id: { $regex: `^${tag}` } }).toArray()).map((d) => d._id),
      deliveries: (
        await notifications.query('select source_id from deliveries where source_id like $1 order by 1', [
          `${tag}.%`,
        ])
      ).rows.map((row) => row.source_id as string),
    });
    let last: Awaited<ReturnType<typeof left>> | undefined;
    const kept = await waitFor(
      async () => {
        last = await left();
        return [...last.postgres.flat(), ...last.payments].every((key) => key.endsWith('.unpublished')) &&
          last.deliveries.length === 2
          ? last
          : undefined;
      },
      { timeoutMs: 90_000, what: 'every service to purge its old published outbox rows' },
    ).catch((error: Error) => {
      // Which service did not purge: users, catalog, orders, notifications, then payments.
      throw new Error(`${error.message}; left: ${JSON.stringify(last)}`);
    });
    assert.deepEqual(kept, {
      postgres: postgres.map(() => [`${tag}.unpublished`]),
      payments: [`${tag}.unpublished`],
      deliveries: [`${tag}.pending-old`, `${tag}.sent-recent`],
    });
  } finally {
    await mongo.close();
    await Promise.all(clients.map((client) => client.end()));
  }
}
