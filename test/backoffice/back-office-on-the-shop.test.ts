// The back office (both roles, in this process) on the real shop as processes (users, catalog,
// payments, orders, notifications on PostgreSQL, FerretDB and RabbitMQ), the way an admin uses it:
// - reports over a period with checkouts (earning cashback), a refund (taking its share back), top-ups,
//   two charged back (won, lost) and a withdrawal the provider never answers (its hold outstanding)
//   equal payments' ledger (the customers' statements and held funds, reconciled) and the orders; the
//   sales report groups by the catalog's category and names it as the last checkout had it (renamed
//   between two checkouts);
// - the anomaly rules that ask the owners over gRPC each raise a record and a metric: failed sign-ins
//   from one address (users), a ledger difference (payments' reconciliation), an overdue checkout saga
//   (orders), a failing webhook endpoint (notifications);
// - a force-cancel of a saga past its pivot is refused with problem+json, and changes nothing;
// - the retention run: each service purges its own tables when the back office asks (retention-run.ts).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BackofficeService } from '@shopstack/backoffice';
import { createTestDatabase, randomSuffix, type TestDatabase, waitFor } from '@shopstack/kit/testing';
import { MongoClient } from 'mongodb';
import {
  balance,
  createProduct,
  placeOrder,
  type RunningShop,
  type Session,
  settled,
  signUp,
  startShopProcesses,
  topUp,
} from '../checkout/support/shop.js';
import { infraEnv } from '../support/env.js';
import { retentionRunPurgesEachService } from './retention-run.js';
import { providerPayment, startBackOfficeOn, statement } from './shop-calls.js';

describe('the back office on the real shop: reports equal to the ledger, anomaly rules, saga repairs', function () {
  this.timeout(240_000);
  let shop: RunningShop;
  let backoffice: BackofficeService;
  let database: TestDatabase;
  let admin: Session;
  let ann: Session;
  let bob: Session;
  let carol: Session;
  let dave: Session;
  let kettle: string;
  let kitchen: string;
  let failingReceiver: Server;
  const queue = `backoffice.reporting.${randomSuffix()}`;

  before(async () => {
    shop = await startShopProcesses({
      withNotifications: { publicUrl: 'http://127.0.0.1:9' },
      // A stuck saga stays stuck until someone repairs it.
      ordersEnv: { RESERVE_STOCK_TIMEOUT_MS: '120000', HOLD_FUNDS_TIMEOUT_MS: '120000' },
      // 1 % cashback on order payments; withdrawals cost 100.
      paymentsEnv: {
        FEES_JSON: JSON.stringify({ cashback: { basisPoints: 100 }, withdrawal: { fixed: 100 } }),
      },
    });
    database = await createTestDatabase('backoffice_shop');
    backoffice = await startBackOfficeOn(shop, database, queue);
    admin = await signUp(shop, 'admin');
    [ann, bob, carol, dave] = await Promise.all([signUp(shop), signUp(shop), signUp(shop), signUp(shop)]);
    kettle = await createProduct(shop, admin, 2_500, 100);
    const category = await admin.call('POST', `${shop.catalog.httpUrl}/api/catalog/categories`, {
      slug: `kitchen-${randomSuffix()}`,
      name: 'Kitchen',
    });
    assert.equal(category.status, 201, JSON.stringify(category.body));
    kitchen = category.body.id;
    const filed = await admin.call('PATCH', `${shop.catalog.httpUrl}/api/catalog/products/${kettle}`, {
      categoryId: kitchen,
    });
    assert.equal(filed.status, 200, JSON.stringify(filed.body));
    failingReceiver = createServer((_req, res) => res.writeHead(500).end('down for maintenance'));
    await new Promise<void>((resolve) => failingReceiver.listen(0, '127.0.0.1', resolve));
  });

  after(async () => {
    failingReceiver?.close();
    await backoffice?.close();
    await shop?.stop();
    await database?.drop();
  });

  const api = (method: string, path: string, body?: unknown, key?: string) =>
    admin.call(method, `${backoffice.httpUrl}${path}`, body, key ? { 'idempotency-key': key } : undefined);

  async function report(kind: 'sales' | 'finance' | 'repairs', from: string, to: string) {
    const requested = await api('POST', '/api/backoffice/reports', { kind, from, to }, randomUUID());
    assert.equal(requested.status, 202, JSON.stringify(requested.body));
    await waitFor(
      async () =>
        (await api('GET', `/api/backoffice/reports/${requested.body.id}`)).body.status === 'succeeded',
      { timeoutMs: 30_000, what: `the ${kind} report` },
    );
    const file = await api('GET', `/api/backoffice/reports/${requested.body.id}/download?format=json`);
    assert.equal(file.status, 200);
    return file.body as {
      totals: Record<string, Record<string, string>>;
      rows: Record<string, string | number>[];
      totalsByCategory?: Record<string, Record<string, Record<string, string>>>;
    };
  }

  it('reports checkouts, cashback, a refund, top-ups, chargebacks and holds over a period exactly as the ledger and the orders have them', async () => {
    await topUp(shop, ann, 20_000);
    await topUp(shop, bob, 9_000);
    const orders = [await placeOrder(shop, ann, [[kettle, 2]]), await placeOrder(shop, bob, [[kettle, 3]])];
    for (const [index, orderId] of orders.entries())
      assert.equal((await settled(shop, index === 1 ? bob : ann, orderId)).status, 'confirmed');
    // The kettle's category is renamed before the third checkout: the sales report still has one
    // category (its id) and names it as that last checkout told it.
    const renamed = await admin.call('PATCH', `${shop.catalog.httpUrl}/api/catalog/categories/${kitchen}`, {
      name: 'Kitchen & Dining',
    });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    orders.push(await placeOrder(shop, ann, [[kettle, 1]]));
    assert.equal((await settled(shop, ann, orders[2]!)).status, 'confirmed');
    const cancelled = await ann.call('POST', `${shop.orders.httpUrl}/api/orders/${orders[2]}/cancel`);
    assert.equal(cancelled.status, 202, JSON.stringify(cancelled.body));
    await waitFor(
      async () =>
        (await ann.call('GET', `${shop.orders.httpUrl}/api/orders/${orders[2]}`)).body.status === 'refunded',
      { timeoutMs: 30_000, what: 'the refund' },
    );
    // Two top-ups the cardholders dispute (the shop wins one, loses the other), and a withdrawal the
    // provider never answers: its hold (amount and fee) stays outstanding.
    await providerPayment(shop, carol, 'topups', 4_000, 'tok_chargeback_won');
    await providerPayment(shop, dave, 'topups', 3_000, 'tok_chargeback_lost');
    await providerPayment(shop, bob, 'withdrawals', 1_000, 'tok_timeout');
    // Every event has reached the reporting store.
    const expectedKinds = [
      { kind: 'capture', n: 3 },
      { kind: 'cashback', n: 3 },
      { kind: 'cashback_reversed', n: 1 },
      { kind: 'chargeback', n: 2 },
      { kind: 'chargeback_lost', n: 1 },
      { kind: 'chargeback_won', n: 1 },
      { kind: 'hold_captured', n: 3 },
      { kind: 'hold_placed', n: 4 },
      { kind: 'refund', n: 1 },
      { kind: 'topup', n: 4 },
    ];
    await waitFor(
      async () => {
        const { rows } = await backoffice.deps.pool.query<{ kind: string; n: number }>(
          'select kind, count(*)::int as n from rpt_money group by kind order by kind',
        );
        return JSON.stringify(rows) === JSON.stringify(expectedKinds) ? rows : undefined;
      },
      { timeoutMs: 30_000, what: 'the events in the reporting store' },
    );

    // A period of whole days around now, so a run at midnight still has everything inside it.
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const [finance, sales] = [
      await report('finance', day(-1), day(1)),
      await report('sales', day(-1), day(1)),
    ];

    // The ledger: what payments' statements say moved, by the kind of operation behind each entry,
    // and the funds its accounts hold now.
    const ledger = {
      topupMinor: 0n,
      captureMinor: 0n,
      refundCreditedMinor: 0n,
      cashbackMinor: 0n,
      chargebackMinor: 0n,
      chargebackReturnedMinor: 0n,
      holdsPlaced: 0n,
      holdsPlacedMinor: 0n,
      holdsCapturedMinor: 0n,
      heldMinor: 0n,
    };
    for (const customer of [ann, bob, carol, dave]) {
      for (const entry of await statement(shop, customer)) {
        if (entry.outcome !== 'applied') continue;
        const amount = BigInt(entry.amount);
        if (entry.kind === 'hold_reserve') {
          ledger.holdsPlaced += 1n;
          ledger.holdsPlacedMinor += BigInt(entry.heldChange);
        }
        if (entry.kind === 'hold_capture') {
          ledger.captureMinor += -amount;
          ledger.holdsCapturedMinor += -BigInt(entry.heldChange);
        } else if (entry.reference.startsWith('top_')) ledger.topupMinor += amount;
        else if (entry.reference.startsWith('ref_')) ledger.refundCreditedMinor += amount;
        else if (entry.reference.startsWith('hol_') && entry.kind === 'credit')
          ledger.cashbackMinor += amount;
        else if (/^dis_.*_open_\d+$/.test(entry.reference)) ledger.chargebackMinor += -amount;
        else if (/^dis_.*_won$/.test(entry.reference)) ledger.chargebackReturnedMinor += amount;
      }
      ledger.heldMinor += BigInt((await balance(shop, customer)).held);
    }
    // Top-ups 20 000 + 9 000 + 4 000 + 3 000; orders 5 000 + 7 500 + 2 500 (1 % cashback: 50, 75, 25);
    // the refund of 2 500 took its 25 of cashback back; both disputed top-ups were still on the
    // customers' accounts; bob's withdrawal holds 1 000 and its fee of 100.
    assert.deepEqual(ledger, {
      topupMinor: 36_000n,
      captureMinor: 15_000n,
      refundCreditedMinor: 2_475n,
      cashbackMinor: 150n,
      chargebackMinor: 7_000n,
      chargebackReturnedMinor: 4_000n,
      holdsPlaced: 4n,
      holdsPlacedMinor: 16_100n,
      holdsCapturedMinor: 15_000n,
      heldMinor: 1_100n,
    });
    const eur = finance.totals.EUR!;
    const minor = (key: string) => BigInt(eur[key] ?? '0');
    assert.deepEqual(
      {
        topupMinor: minor('topupMinor'),
        captureMinor: minor('captureMinor'),
        refundCreditedMinor: minor('refundMinor') - minor('cashback_reversedMinor'),
        cashbackMinor: minor('cashbackMinor'),
        chargebackMinor: minor('chargebackMinor'),
        chargebackReturnedMinor: minor('chargeback_wonMinor'),
        holdsPlaced: minor('hold_placedCount'),
        holdsPlacedMinor: minor('hold_placedMinor'),
        holdsCapturedMinor: minor('hold_capturedMinor'),
        heldMinor: minor('holds_outstandingMinor'),
      },
      ledger,
    );
    // The refund counts whole (as orders has it), and what a lost dispute kept is the rest.
    assert.equal(minor('refundMinor'), 2_500n);
    assert.equal(minor('chargeback_lostMinor'), ledger.chargebackMinor - ledger.chargebackReturnedMinor);
    assert.equal(eur.holds_outstandingCount, '1');
    // payments' own reconciliation of that ledger: every balance equals its journal, nothing in flight.
    const { body: reconciled } = await admin.call(
      'POST',
      `${shop.payments.httpUrl}/api/payments/admin/reconciliation`,
    );
    assert.equal(reconciled.problems, 0);
    for (const amounts of [reconciled.difference, reconciled.imbalance])
      assert.ok(
        Object.values(amounts).every((amount) => amount === '0'),
        JSON.stringify(reconciled),
      );

    // The orders: the three that completed (the refunded one too), their units and totals.
    const placed = await Promise.all(
      orders.map(async (id, index) => {
        const { body } = await (index === 1 ? bob : ann).call(
          'GET',
          `${shop.orders.httpUrl}/api/orders/${id}`,
        );
        return body as { totalMinor: string; lines: { quantity: number }[] };
      }),
    );
    assert.deepEqual(sales.totals.EUR, {
      revenueMinor: String(placed.reduce((sum, o) => sum + BigInt(o.totalMinor), 0n)),
      units: String(placed.flatMap((o) => o.lines).reduce((sum, l) => sum + l.quantity, 0)),
    });
    assert.deepEqual(sales.totals.EUR, { revenueMinor: '15000', units: '6' });
    // Each line kept the name its checkout was told by the catalog; the report groups by the id.
    const { rows: told } = await backoffice.deps.pool.query<{ category_id: string; category_name: string }>(
      'select distinct category_id, category_name from rpt_order_lines order by category_name',
    );
    assert.deepEqual(told, [
      { category_id: kitchen, category_name: 'Kitchen' },
      { category_id: kitchen, category_name: 'Kitchen & Dining' },
    ]);
    assert.ok(sales.rows.length > 0);
    for (const row of sales.rows) {
      assert.equal(row.categoryId, kitchen);
      assert.equal(row.category, 'Kitchen & Dining');
    }
    assert.deepEqual(sales.totalsByCategory, {
      EUR: { [kitchen]: { category: 'Kitchen & Dining', units: '6', revenueMinor: '15000' } },
    });
  });

  let stuckOrder: string;

  it('refuses to force-cancel a saga past its pivot (paid, waiting for the warehouse) with problem+json; nothing moves', async () => {
    // The catalog cannot commit stock (its warehouse system is down): the paid checkout waits in
    // commit_stock, past the pivot, resending its command.
    await shop.catalogQuery(
      `create function refuse_commit() returns trigger language plpgsql as $$
         begin raise exception 'the warehouse system is down'; end $$;
       create trigger refuse_commit before update on stock_reservations for each row
         when (new.status = 'committed') execute function refuse_commit()`,
      [],
    );
    stuckOrder = await placeOrder(shop, ann, [[kettle, 1]]);
    const sagaOf = async () => {
      const view = await api('GET', `/api/backoffice/customers/${ann.userId}`);
      return view.body.orders.find((o: { orderId: string }) => o.orderId === stuckOrder) as
        | { status: string; saga: { step: string } | null }
        | undefined;
    };
    await waitFor(async () => (await sagaOf())?.saga?.step === 'commit_stock', {
      timeoutMs: 30_000,
      what: 'the saga waiting in commit_stock',
    });
    const before = await statement(shop, ann);

    const refused = await fetch(
      `${backoffice.httpUrl}/api/backoffice/repairs/orders/${stuckOrder}/force-cancel`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${admin.token}`,
          'content-type': 'application/json',
          'idempotency-key': randomUUID(),
        },
        body: JSON.stringify({ reason: 'customer changed their mind' }),
      },
    );
    assert.equal(refused.status, 409);
    assert.equal(refused.headers.get('content-type'), 'application/problem+json');
    const problem = (await refused.json()) as { type: string; detail: string };
    assert.match(problem.type, /saga-repair-refused$/);
    assert.match(problem.detail, /past the order's confirmation/);
    assert.deepEqual([(await sagaOf())?.status, (await sagaOf())?.saga?.step], ['confirmed', 'commit_stock']);
    assert.deepEqual(await statement(shop, ann), before);
  });

  it('raises a record and a metric for failed sign-ins, a ledger difference, an overdue saga and a failing webhook', async () => {
    // Credential stuffing from one address: three unknown emails.
    for (let i = 0; i < 3; i++) {
      const login = await fetch(`${shop.users.httpUrl}/api/users/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `nobody.${randomUUID()}@example.com`, password: 'guessing 12345' }),
      });
      assert.equal(login.status, 401);
    }
    // A webhook receiver that answers 500.
    const { port } = failingReceiver.address() as AddressInfo;
    const base = `${shop.notifications!.httpUrl}/api/notifications/webhooks/endpoints`;
    const created = await ann.call('POST', base, {
      url: `http://127.0.0.1:${port}/hook`,
      eventTypes: ['webhook.test'],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const endpointId = created.body.endpoint.id as string;
    assert.equal((await ann.call('POST', `${base}/${endpointId}/test`)).status, 202);
    // A ledger defect: the running balance of ann's latest entry no longer follows from the journal.
    const { body: accounts } = await ann.call('GET', `${shop.payments.httpUrl}/api/payments/accounts`);
    const accountId = accounts.accounts.find((a: { currency: string }) => a.currency === 'EUR').id;
    const mongo = new MongoClient(infraEnv('MONGO_URL'), { useBigInt64: true });
    try {
      const journal = mongo.db(shop.paymentsDb).collection<{ seq: number; balance: bigint }>('journal');
      const [latest] = await journal.find({ accountId }).sort({ seq: -1 }).limit(1).toArray();
      await journal.updateOne({ _id: latest!._id }, { $set: { balance: latest!.balance + 1n } });
    } finally {
      await mongo.close();
    }

    type Anomaly = { rule: string; subject: string; status: string; value: number; detail: string };
    const raised = await waitFor(
      async () => {
        const job = await backoffice.deps.jobs.request({
          kind: 'anomalies',
          params: {},
          requestedBy: 'test',
        });
        await waitFor(
          async () => (await backoffice.deps.jobs.get(job.id)).status === 'succeeded' || undefined,
          { what: 'the sweep' },
        );
        const { body } = await api('GET', '/api/backoffice/anomalies?status=open');
        const items = body.items as Anomaly[];
        const rules = new Set(items.map((a) => a.rule));
        const wanted = ['sign-in-failures', 'ledger-difference', 'sagas-overdue', 'webhook-failing'];
        return wanted.every((rule) => rules.has(rule)) ? items : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: 'the four anomalies' },
    );
    const byRule = (rule: string) => raised.filter((a) => a.rule === rule);
    const [signIns] = byRule('sign-in-failures');
    assert.match(signIns!.subject, /127\.0\.0\.1$/);
    assert.equal(signIns!.value, 3);
    // The total difference per currency, and the journal's own complaint about the entry.
    assert.deepEqual(
      byRule('ledger-difference')
        .map((a) => [a.subject, a.value])
        .sort(),
      [
        ['EUR', 1],
        ['journal', 1],
      ],
    );
    assert.match(byRule('ledger-difference').find((a) => a.subject === 'journal')!.detail, /says/);
    const [overdue] = byRule('sagas-overdue');
    assert.deepEqual([overdue!.subject, overdue!.value], ['checkout', 1]);
    assert.match(overdue!.detail, new RegExp(`${stuckOrder} in commit_stock`));
    assert.deepEqual(
      byRule('webhook-failing').map((a) => a.subject),
      [endpointId],
    );
    assert.equal(byRule('refund-rate').length + byRule('decline-rate').length, 0);
    const metrics = await (await fetch(`${backoffice.httpUrl}/metrics`)).text();
    for (const [rule, open] of [
      ['sign-in-failures', 1],
      ['ledger-difference', 2],
      ['sagas-overdue', 1],
      ['webhook-failing', 1],
    ] as const)
      assert.match(
        metrics,
        new RegExp(`backoffice_anomalies_open\\{[^}]*rule="${rule}"[^}]*status="open"[^}]*\\} ${open}\\n`),
        rule,
      );

    // The warehouse is back: a retry moves the stuck saga on, and it finishes.
    await shop.catalogQuery('drop trigger refuse_commit on stock_reservations', []);
    const retried = await api(
      'POST',
      `/api/backoffice/repairs/orders/${stuckOrder}/retry`,
      { reason: 'warehouse system restored' },
      randomUUID(),
    );
    assert.equal(retried.status, 200, JSON.stringify(retried.body));
    assert.equal((await settled(shop, ann, stuckOrder)).progress.stockCommitted, true);
  });

  it('shows the repairs in the repairs report: the saga retry and a stock correction, not the refused cancel', async () => {
    const corrected = await api(
      'POST',
      `/api/backoffice/repairs/products/${kettle}/stock`,
      { onHand: 50, reason: 'stocktake found fewer kettles' },
      randomUUID(),
    );
    assert.equal(corrected.status, 200, JSON.stringify(corrected.body));
    await waitFor(
      async () => (await backoffice.deps.pool.query('select 1 from rpt_repairs')).rowCount === 2 || undefined,
      { timeoutMs: 30_000, what: 'both repairs in the reporting store' },
    );
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const repairs = (await report('repairs', day(-1), day(1))) as unknown as {
      rows: { service: string; kind: string; count: number; subjects: string }[];
      totals: Record<string, Record<string, string>>;
    };
    assert.deepEqual(
      repairs.rows.map((r) => [r.service, r.kind, r.count, r.subjects]),
      [
        ['catalog', 'stock_correction', 1, kettle],
        ['orders', 'saga_retry', 1, stuckOrder],
      ],
    );
    assert.deepEqual(repairs.totals, { catalog: { stock_correction: '1' }, orders: { saga_retry: '1' } });
  });

  it('the retention run: every service purges its own old published outbox rows, notifications its old delivery log, when the back office asks', () =>
    retentionRunPurgesEachService(shop, () =>
      backoffice.deps.jobs.request({ kind: 'retention', params: {}, requestedBy: 'test' }),
    ));
});
