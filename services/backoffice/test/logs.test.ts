// The log store on a real PostgreSQL, fed the way every service feeds it: a kit logger with the log
// sink posts its warnings and errors (after redaction) to the back office, which keeps the newest
// LOG_EVENTS_MAX and lets admin and support search them; customers are refused.
import assert from 'node:assert/strict';
import { createLogger, createLogSink } from '@shopstack/kit';
import { waitFor } from '@shopstack/kit/testing';
import type { BackofficeService } from '../src/service.js';
import { type Harness, startHarness } from './support/harness.js';

describe('backoffice: the log store', function () {
  this.timeout(60_000);
  let h: Harness;
  let backoffice: BackofficeService;

  before(async () => {
    h = await startHarness();
    backoffice = await h.start({ BACKOFFICE_ROLE: 'api', LOG_EVENTS_MAX: '5' });
  });
  after(async () => h?.stop());

  const search = async (query: string, role: 'admin' | 'support' | 'customer' = 'support') => {
    const response = await fetch(`${backoffice.httpUrl}/api/backoffice/logs?${query}`, {
      headers: { authorization: `Bearer ${await h.token(role)}` },
    });
    return { status: response.status, body: (await response.json()) as { items: Record<string, unknown>[] } };
  };
  const stored = async () => Number((await h.db.query('select count(*) as n from log_events')).rows[0].n);

  it('keeps warnings and errors with their fields, redacted, and finds them by text, level and time', async () => {
    const sink = createLogSink({ url: `${backoffice.httpUrl}/internal/log-events`, intervalMs: 50 });
    const logger = createLogger({ service: 'payments', level: 'info', sink });
    const startedAt = new Date().toISOString();
    logger.info({ orderId: 'o-1' }, 'an ordinary day');
    logger.warn({ password: 'hunter2', token: 'tok_secret', accountId: 'acc_1' }, 'suspicious sign-in burst');
    logger.error({ err: new Error('journal seq 7 missing') }, 'reconciliation: journal problem');
    await sink.flush();
    assert.equal(await stored(), 2, 'info stays on stdout only');

    const all = await search(`from=${encodeURIComponent(startedAt)}`);
    assert.equal(all.status, 200);
    assert.deepEqual(
      all.body.items.map((i) => [i.service, i.level, i.msg]),
      [
        ['payments', 'error', 'reconciliation: journal problem'],
        ['payments', 'warn', 'suspicious sign-in burst'],
      ],
    );
    const text = JSON.stringify(all.body);
    assert.ok(
      !text.includes('hunter2') && !text.includes('tok_secret'),
      'secrets are redacted at the source',
    );
    assert.equal((all.body.items[1]!.fields as Record<string, unknown>).accountId, 'acc_1');
    const found = await search('q=seq%207&level=error');
    assert.equal(found.body.items.length, 1);
    assert.match(JSON.stringify(found.body.items[0]?.fields), /journal seq 7 missing/);
    assert.equal((await search('service=orders')).body.items.length, 0);
  });

  it('stays bounded: only the newest LOG_EVENTS_MAX are kept', async () => {
    const sink = createLogSink({ url: `${backoffice.httpUrl}/internal/log-events`, intervalMs: 50 });
    const logger = createLogger({ service: 'orders', level: 'info', sink });
    for (let i = 0; i < 12; i++) logger.error({ attempt: i }, `capture failed ${i}`);
    await sink.flush();
    await waitFor(async () => (await stored()) === 5, { what: 'the store trimmed to 5' });
    const newest = await search('service=orders&limit=10');
    assert.deepEqual(
      newest.body.items.map((i) => i.msg),
      [11, 10, 9, 8, 7].map((i) => `capture failed ${i}`),
    );
  });

  it('refuses customers and bad queries', async () => {
    assert.equal((await search('', 'customer')).status, 403);
    assert.equal((await search('level=info')).status, 400);
    assert.equal((await search('from=yesterday')).status, 400);
  });
});
