// Retention: the kit's purge deletes exactly the rows past their age (published outbox rows, handled
// inbox ids; never an unpublished one), in bounded batches; an inbox id kept for longer than the
// broker's redelivery window still stops a redelivered old message; the nightly job asks services by
// event, and a service purges its own tables when asked.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { kitRetentionRules, purgeExpired, runRetention } from '@shopstack/kit';
import { waitFor } from '@shopstack/kit/testing';
import type { BackofficeService } from '../src/service.js';
import { type Harness, startHarness } from './support/harness.js';

const RULES = kitRetentionRules({ outboxDays: 7, inboxDays: 30, redeliveryWindowDays: 14 });

describe('retention (kit purge, run by the owning service)', function () {
  this.timeout(60_000);
  let h: Harness;
  let service: BackofficeService;

  before(async () => {
    h = await startHarness();
    service = await h.start({ OUTBOX_RELAY: 'off' });
  });
  after(async () => {
    await h?.stop();
  });

  const outboxRow = (label: string, publishedDaysAgo: number | null, createdDaysAgo = 40) =>
    h.db.query(
      `insert into kit_outbox (message_id, exchange, routing_key, message_type, payload, created_at, published_at)
       values ($1, 'x', $2, 't', '{}', now() - make_interval(days => $3),
               case when $4::int is null then null else now() - make_interval(days => $4::int) end)`,
      [randomUUID(), label, createdDaysAgo, publishedDaysAgo],
    );
  const inboxRow = (id: string, daysAgo: number) =>
    h.db.query(
      `insert into kit_inbox (consumer, message_id, handled_at) values ('test', $1, now() - make_interval(days => $2))`,
      [id, daysAgo],
    );

  it('deletes exactly what is past its age, and nothing newer or unpublished', async () => {
    await h.db.query("delete from kit_outbox; delete from kit_inbox where consumer = 'test'");
    await outboxRow('old-published', 8);
    await outboxRow('just-under', 6);
    await outboxRow('never-published', null);
    await outboxRow('fresh', 0, 0);
    for (const [id, days] of [
      ['inbox-31', 31],
      ['inbox-29', 29],
      ['inbox-1', 1],
    ] as const)
      await inboxRow(id, days);
    const deleted = await runRetention(h.db, RULES);
    assert.deepEqual(deleted, { outbox: 1, inbox: 1 });
    const outbox = await h.db.query('select routing_key from kit_outbox order by routing_key');
    assert.deepEqual(
      outbox.rows.map((r) => r.routing_key),
      ['fresh', 'just-under', 'never-published'],
    );
    const inbox = await h.db.query(
      "select message_id from kit_inbox where consumer = 'test' order by message_id",
    );
    assert.deepEqual(
      inbox.rows.map((r) => r.message_id),
      ['inbox-1', 'inbox-29'],
    );
  });

  it('purges in bounded batches: one run deletes at most batch × batches rows', async () => {
    await h.db.query("delete from kit_inbox where consumer = 'test'");
    for (let i = 0; i < 5; i++) await inboxRow(`old-${i}`, 40);
    const inboxRule = RULES.find((r) => r.name === 'inbox')!;
    assert.equal(await purgeExpired(h.db, inboxRule, { batchSize: 2, maxBatches: 2 }), 4);
    assert.equal(await purgeExpired(h.db, inboxRule, { batchSize: 2, maxBatches: 2 }), 1);
    assert.equal(await purgeExpired(h.db, inboxRule, { batchSize: 2, maxBatches: 2 }), 0);
  });

  it("archives an audit log (gzip JSON lines, in the delete's transaction) before deleting it", async () => {
    await h.db.query(
      `create table audit_like (id serial primary key, occurred_at timestamptz not null, event text not null);
       insert into audit_like (occurred_at, event) values
         (now() - interval '400 days', 'login.failed'), (now() - interval '366 days', 'user.blocked'),
         (now() - interval '10 days', 'login.succeeded')`,
    );
    const rule = { name: 'audit', table: 'audit_like', column: 'occurred_at', days: 365, archive: true };
    assert.equal(await purgeExpired(h.db, rule), 2);
    const left = await h.db.query('select event from audit_like');
    assert.deepEqual(
      left.rows.map((r) => r.event),
      ['login.succeeded'],
    );
    const archive = await h.db.query("select rows, content from kit_archive where source = 'audit_like'");
    assert.equal(archive.rows.length, 1);
    assert.equal(archive.rows[0].rows, 2);
    const archived = gunzipSync(archive.rows[0].content)
      .toString('utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).event)
      .sort();
    assert.deepEqual(archived, ['login.failed', 'user.blocked']);
  });

  it('refuses an inbox retention shorter than the redelivery window', () => {
    assert.throws(
      () => kitRetentionRules({ outboxDays: 7, inboxDays: 10, redeliveryWindowDays: 14 }),
      /must be longer than the broker's redelivery window/,
    );
  });

  it('a message redelivered within the window after a purge is still not applied twice', async () => {
    const order = {
      orderId: `order-${randomUUID()}`,
      userId: 'ann',
      lines: [{ productId: 'espresso', quantity: 1, unitPriceMinor: '3490', currency: 'EUR' }],
      totalMinor: '3490',
      currency: 'EUR',
      completedAt: '2026-10-01T10:00:00.000Z',
      schemaVersion: 1,
    };
    const id = await h.publish('order.completed', order);
    const handled = () => h.db.query('select count(*)::int as n from kit_inbox where message_id = $1', [id]);
    await waitFor(async () => (await handled()).rows[0].n === 1 || undefined, { what: 'the event handled' });
    // Twenty days later (past the outbox's 7, within the inbox's 30), the nightly purge runs.
    await h.db.query("update kit_inbox set handled_at = now() - interval '20 days' where message_id = $1", [
      id,
    ]);
    await runRetention(h.db, RULES);
    assert.equal((await handled()).rows[0].n, 1, 'the inbox id outlives the redelivery window');
    // The broker delivers it again (a replay from the dead-letter queue, say).
    await h.publish('order.completed', order, id);
    // A second, later message proves the first redelivery was consumed before we look.
    const marker = await h.publish('order.completed', { ...order, orderId: `order-${randomUUID()}` });
    await waitFor(
      async () =>
        (await h.db.query('select 1 from kit_inbox where message_id = $1', [marker])).rowCount === 1 ||
        undefined,
      { what: 'the marker handled' },
    );
    const money = await h.db.query('select count(*)::int as n from rpt_money where reference = $1', [
      order.orderId,
    ]);
    assert.equal(money.rows[0].n, 1);
  });

  it('the scheduled run asks every service by event; a service purges its own tables when asked', async () => {
    await h.db.query('delete from kit_outbox');
    await outboxRow('ancient', 60);
    // This service's own relay is off in this test: publish what the job put in the outbox, as the relay would.
    const job = await service.deps.jobs.request({ kind: 'retention', params: {}, requestedBy: 'test' });
    const request = await waitFor(
      async () => {
        const { rows } = await h.db.query(
          "select message_id, payload from kit_outbox where message_type = 'retention.requested'",
        );
        return rows[0];
      },
      { what: 'the retention request in the outbox' },
    );
    assert.equal(request.payload.runId, job.id);
    await h.db.query("update kit_outbox set published_at = now() where message_type = 'retention.requested'");
    await h.publish('retention.requested', request.payload, request.message_id);
    await waitFor(
      async () =>
        (await h.db.query("select 1 from kit_outbox where routing_key = 'ancient'")).rowCount === 0 ||
        undefined,
      { what: 'the owning service to purge its old outbox row' },
    );
    const left = await h.db.query(
      "select count(*)::int as n from kit_outbox where message_type = 'retention.requested'",
    );
    assert.equal(left.rows[0].n, 1, 'the fresh request itself is kept');
  });
});
