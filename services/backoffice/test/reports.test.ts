// Reports from events: order events published on the exchange feed the reporting store (once each,
// however often they arrive); a report requested over HTTP is generated as a job with progress and
// its files equal the totals of the events, summed here independently of the service's SQL.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { waitFor } from '@shopstack/kit/testing';
import { categoryNames } from '../src/adapters/reporting-store.js';
import type { BackofficeService } from '../src/service.js';
import { type Harness, startHarness } from './support/harness.js';
import { order, orders, publishReportEvents } from './support/report-events.js';

describe('backoffice: reports from events', function () {
  this.timeout(60_000);
  let h: Harness;
  let service: BackofficeService;
  let admin: string;
  let support: string;
  const api = (path: string, init: RequestInit & { token?: string } = {}) =>
    fetch(`${service.httpUrl}${path}`, {
      ...init,
      headers: {
        'content-type': 'application/json',
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.headers as Record<string, string>),
      },
    });
  const requestReport = async (body: unknown, key = randomUUID(), token = admin) =>
    api('/api/backoffice/reports', {
      method: 'POST',
      token,
      headers: { 'idempotency-key': key },
      body: JSON.stringify(body),
    });
  const finished = (id: string) =>
    waitFor(
      async () => {
        const job = (await (await api(`/api/backoffice/reports/${id}`, { token: support })).json()) as {
          status: string;
          files: { format: string; url: string; sha256: string }[];
          progress: { percent: number };
        };
        return job.status === 'succeeded' || job.status === 'failed' ? job : undefined;
      },
      { timeoutMs: 20_000, what: `report ${id}` },
    );

  before(async () => {
    h = await startHarness();
    service = await h.start({ LOG_LEVEL: process.env.TEST_LOG ?? 'silent' });
    admin = await h.token('admin');
    support = await h.token('support');
    await publishReportEvents(h);
  });

  after(async () => {
    await h?.stop();
  });

  it('stores each order once, however often its event arrives', async () => {
    const { rows } = await h.db.query('select count(*)::int as n from rpt_orders');
    assert.equal(rows[0].n, orders.length);
    const lines = await h.db.query('select count(*)::int as n from rpt_order_lines');
    assert.equal(
      lines.rows[0].n,
      orders.reduce((n, o) => n + o.lines.length, 0),
    );
  });

  it('generates a sales report whose totals equal the orders of the period, per currency', async () => {
    const response = await requestReport({ kind: 'sales', from: '2026-11-01', to: '2026-11-03' });
    assert.equal(response.status, 202);
    const { id } = (await response.json()) as { id: string };
    const job = await finished(id);
    assert.equal(job.status, 'succeeded');
    assert.equal(job.progress.percent, 100);
    const json = (await (
      await api(`/api/backoffice/reports/${id}/download?format=json`, { token: support })
    ).json()) as {
      rows: {
        day: string;
        currency: string;
        categoryId: string;
        category: string;
        productId: string;
        orders: number;
        units: string;
        revenueMinor: string;
      }[];
      totals: Record<string, { revenueMinor: string; units: string }>;
      totalsByCategory: Record<
        string,
        Record<string, { category: string; revenueMinor: string; units: string }>
      >;
    };
    // Independently: the period's orders summed here.
    const inPeriod = orders.filter((o) => o.completedAt < '2026-11-04');
    const expected = new Map<string, { revenue: bigint; units: bigint }>();
    for (const o of inPeriod)
      for (const l of o.lines) {
        const t = expected.get(l.currency) ?? { revenue: 0n, units: 0n };
        t.revenue += BigInt(l.unitPriceMinor) * BigInt(l.quantity);
        t.units += BigInt(l.quantity);
        expected.set(l.currency, t);
      }
    assert.deepEqual(
      Object.fromEntries(
        Object.entries(json.totals).map(([c, t]) => [c, { revenue: t.revenueMinor, units: t.units }]),
      ),
      Object.fromEntries(
        [...expected].map(([c, t]) => [c, { revenue: t.revenue.toString(), units: t.units.toString() }]),
      ),
    );
    const nov1Espresso = json.rows.find((r) => r.day === '2026-11-01' && r.productId === 'espresso');
    assert.deepEqual(nov1Espresso, {
      day: '2026-11-01',
      currency: 'EUR',
      categoryId: 'coffee',
      category: 'Coffee & Tea',
      productId: 'espresso',
      orders: 2,
      units: '3',
      revenueMinor: '10470',
    });
    // Grouped by the id, each named as last known (the latest checkout's name, on every day); a
    // category no event named shows its id. By category too: the kettle's orders named none (as
    // events from before categories do).
    assert.deepEqual([...new Set(json.rows.map((r) => `${r.categoryId}=${r.category}`))].sort(), [
      'coffee=Coffee & Tea',
      'machines=machines',
      'uncategorised=uncategorised',
    ]);
    assert.deepEqual(json.totalsByCategory, {
      EUR: {
        coffee: { category: 'Coffee & Tea', units: '3', revenueMinor: '10470' },
        machines: { category: 'machines', units: '1', revenueMinor: '12900' },
        uncategorised: { category: 'uncategorised', units: '1', revenueMinor: '5000' },
      },
      USD: { coffee: { category: 'Coffee & Tea', units: '3', revenueMinor: '10800' } },
    });
    const csv = await api(`/api/backoffice/reports/${id}/download?format=csv`, { token: support });
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    assert.match(csv.headers.get('content-disposition') ?? '', /attachment; filename="report-.*\.csv"/);
    const text = await csv.text();
    assert.equal(text.split('\n')[0], 'day,currency,categoryId,category,productId,orders,units,revenueMinor');
    assert.ok(text.includes('2026-11-03,EUR,uncategorised,uncategorised,kettle,1,1,5000'), text);
    assert.ok(text.includes('2026-11-01,EUR,coffee,Coffee & Tea,espresso,2,3,10470'), text);
    assert.ok(text.includes('2026-11-01,EUR,machines,machines,grinder,1,1,12900'), text);
    assert.equal(text.trim().split('\n').length, json.rows.length + 1);
  });

  it("names a category as last known by the report's request: a later rename shows in a new report, not in one asked before it", async () => {
    const before = new Date();
    // A later checkout in 'coffee' (after the period) under its new name; 'machines' named at last.
    const later = order('2026-11-06', 10, [
      {
        productId: 'espresso',
        quantity: 1,
        unitPriceMinor: '3490',
        currency: 'EUR',
        categoryId: 'coffee',
        categoryName: 'Beverages',
      },
      {
        productId: 'grinder',
        quantity: 1,
        unitPriceMinor: '12900',
        currency: 'EUR',
        categoryId: 'machines',
        categoryName: 'Machines',
      },
    ]);
    await h.publish('order.completed', { ...later, schemaVersion: 1 });
    await waitFor(
      async () =>
        (await h.db.query('select 1 from rpt_order_lines where order_id = $1', [later.orderId])).rowCount ===
        2,
      { what: 'the later order stored' },
    );
    // What a report requested before it arrived reads (a retry of it writes the same names).
    assert.deepEqual(
      await categoryNames(h.db, ['coffee', 'machines', 'unknown'], before),
      new Map([['coffee', 'Coffee & Tea']]),
    );
    const { id } = (await (
      await requestReport({ kind: 'sales', from: '2026-11-01', to: '2026-11-02' })
    ).json()) as {
      id: string;
    };
    assert.equal((await finished(id)).status, 'succeeded');
    const text = await (
      await api(`/api/backoffice/reports/${id}/download?format=csv`, { token: support })
    ).text();
    assert.ok(text.includes('2026-11-01,EUR,coffee,Beverages,espresso,2,3,10470'), text);
    assert.ok(text.includes('2026-11-02,USD,coffee,Beverages,espresso,1,3,10800'), text);
    assert.ok(text.includes('2026-11-01,EUR,machines,Machines,grinder,1,1,12900'), text);
  });

  it("finance: the period's captures equal its orders' totals; customers: active and new buyers", async () => {
    const finance = (await (
      await requestReport({ kind: 'finance', from: '2026-11-01', to: '2026-11-03' })
    ).json()) as {
      id: string;
    };
    const customers = (await (
      await requestReport({ kind: 'customers', from: '2026-11-01', to: '2026-11-02' })
    ).json()) as {
      id: string;
    };
    await finished(finance.id);
    await finished(customers.id);
    const f = (await (
      await api(`/api/backoffice/reports/${finance.id}/download?format=json`, { token: admin })
    ).json()) as {
      totals: Record<string, Record<string, string>>;
    };
    assert.equal(f.totals.EUR?.captureMinor, String(3490 * 2 + 12900 + 3490 + 5000));
    assert.equal(f.totals.USD?.captureMinor, String(3600 * 3));
    assert.equal(f.totals.EUR?.captureCount, '3');
    const c = (await (
      await api(`/api/backoffice/reports/${customers.id}/download?format=json`, { token: admin })
    ).json()) as {
      rows: { day: string; activeCustomers: number; newCustomers: number; orders: number }[];
    };
    // Nov 1: two buyers, both new; Nov 2: ann again, not new.
    assert.deepEqual(
      c.rows.map((r) => [r.day, r.activeCustomers, r.newCustomers, r.orders]),
      [
        ['2026-11-01', 2, 2, 2],
        ['2026-11-02', 1, 0, 1],
      ],
    );
  });

  it('finance counts refunds and ledger adjustments once, by the day they were told, and cancelled checkouts apart from money', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const { id } = (await (await requestReport({ kind: 'finance', from: today, to: today })).json()) as {
      id: string;
    };
    await finished(id);
    const f = (await (
      await api(`/api/backoffice/reports/${id}/download?format=json`, { token: admin })
    ).json()) as {
      totals: Record<string, Record<string, string>>;
    };
    assert.equal(f.totals.EUR?.refundMinor, '3490');
    assert.equal(f.totals.EUR?.refundCount, '1', 'told by orders twice and by payments once: one refund');
    assert.equal(f.totals.EUR?.topupMinor, '50000');
    assert.equal(f.totals.EUR?.feeMinor, '150');
    assert.equal(f.totals.EUR?.order_cancelledCount, '1');
    assert.equal(f.totals.EUR?.captureMinor, undefined);
    assert.equal(f.totals.EUR?.adjustment_debitMinor, '250');
    assert.equal(f.totals.EUR?.adjustment_debitCount, '1');
    assert.equal(f.totals.EUR?.adjustment_creditCount, undefined);
  });

  it('finance shows cashback (paid, and taken back by a refund), chargebacks (opened, won, lost) once each', async () => {
    const { id } = (await (
      await requestReport({ kind: 'finance', from: '2026-10-20', to: '2026-10-20' })
    ).json()) as { id: string };
    await finished(id);
    const f = (await (
      await api(`/api/backoffice/reports/${id}/download?format=json`, { token: admin })
    ).json()) as { totals: Record<string, Record<string, string>> };
    const eur = f.totals.EUR!;
    assert.deepEqual(
      [eur.cashbackCount, eur.cashbackMinor, eur.cashback_reversedCount, eur.cashback_reversedMinor],
      ['1', '75', '1', '25'],
    );
    // The refund counts whole: what reached the account and the cashback share it took back.
    assert.deepEqual([eur.refundCount, eur.refundMinor], ['1', '2500']);
    assert.deepEqual(
      [eur.chargebackCount, eur.chargebackMinor, eur.chargeback_wonMinor, eur.chargeback_lostMinor],
      ['2', '7000', '4000', '3000'],
    );
    assert.deepEqual([eur.chargeback_wonCount, eur.chargeback_lostCount], ['1', '1']);
  });

  it('finance shows holds placed, captured, voided, expired, and outstanding at the end of each day and of the period', async () => {
    const { id } = (await (
      await requestReport({ kind: 'finance', from: '2026-11-01', to: '2026-11-03' })
    ).json()) as { id: string };
    await finished(id);
    const f = (await (
      await api(`/api/backoffice/reports/${id}/download?format=json`, { token: admin })
    ).json()) as {
      rows: { day: string; currency: string; kind: string; count: number; amountMinor: string }[];
      totals: Record<string, Record<string, string>>;
    };
    const outstanding = f.rows
      .filter((r) => r.kind === 'holds_outstanding')
      .map((r) => [r.day, r.currency, r.count, r.amountMinor]);
    assert.deepEqual(outstanding, [
      ['2026-11-01', 'EUR', 2, '5100'],
      ['2026-11-02', 'EUR', 1, '700'],
      ['2026-11-03', 'EUR', 1, '1200'],
      ['2026-11-03', 'USD', 1, '300'],
    ]);
    const pick = (currency: string, ...keys: string[]) => keys.map((k) => f.totals[currency]?.[k]);
    assert.deepEqual(
      pick('EUR', 'hold_placedCount', 'hold_placedMinor', 'hold_capturedCount', 'hold_capturedMinor'),
      ['4', '7000', '2', '5100'],
    );
    assert.deepEqual(pick('EUR', 'hold_voidedMinor', 'holds_outstandingCount', 'holds_outstandingMinor'), [
      '700',
      '1',
      '1200',
    ]);
    // Placed minus closed is what is still held at the end of the period.
    assert.equal(
      BigInt(f.totals.EUR!.hold_placedMinor!) -
        BigInt(f.totals.EUR!.hold_capturedMinor!) -
        BigInt(f.totals.EUR!.hold_voidedMinor!),
      BigInt(f.totals.EUR!.holds_outstandingMinor!),
    );
    assert.deepEqual(pick('USD', 'hold_placedMinor', 'hold_expiredCount', 'holds_outstandingMinor'), [
      '300',
      undefined,
      '300',
    ]);
    const csv = await (
      await api(`/api/backoffice/reports/${id}/download?format=csv`, { token: admin })
    ).text();
    assert.ok(csv.includes('2026-11-03,EUR,holds_outstanding,1,1200'), csv);
  });

  it('the same Idempotency-Key gives the same report; support and customers cannot request one', async () => {
    const key = randomUUID();
    const first = (await (
      await requestReport({ kind: 'sales', from: '2026-11-01', to: '2026-11-01' }, key)
    ).json()) as {
      id: string;
    };
    const second = (await (
      await requestReport({ kind: 'sales', from: '2026-11-01', to: '2026-11-01' }, key)
    ).json()) as {
      id: string;
    };
    assert.equal(second.id, first.id);
    assert.equal(
      (await requestReport({ kind: 'sales', from: '2026-11-01', to: '2026-11-01' }, randomUUID(), support))
        .status,
      403,
    );
    const customer = await h.token('customer');
    assert.equal(
      (await requestReport({ kind: 'sales', from: '2026-11-01', to: '2026-11-01' }, randomUUID(), customer))
        .status,
      403,
    );
    assert.equal((await api(`/api/backoffice/reports/${first.id}`, { token: customer })).status, 403);
  });

  it('refuses a bad period with problem+json naming the field, and queues nothing', async () => {
    const before = (await h.db.query('select count(*)::int as n from jobs')).rows[0].n;
    const response = await requestReport({ kind: 'sales', from: '2026-11-05', to: '2026-11-01' });
    assert.equal(response.status, 400);
    assert.match(response.headers.get('content-type') ?? '', /application\/problem\+json/);
    const problem = (await response.json()) as { errors?: { field: string }[]; fields?: { field: string }[] };
    assert.ok(JSON.stringify(problem).includes('from'));
    const noKey = await api('/api/backoffice/reports', {
      method: 'POST',
      token: admin,
      body: JSON.stringify({ kind: 'sales', from: '2026-11-01', to: '2026-11-01' }),
    });
    assert.equal(noKey.status, 400);
    assert.equal((await h.db.query('select count(*)::int as n from jobs')).rows[0].n, before);
  });
});
