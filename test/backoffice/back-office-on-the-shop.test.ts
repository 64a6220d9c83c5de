// The back office (both roles, in this process) on the real shop as processes (users, catalog,
// payments, orders, notifications on PostgreSQL, FerretDB and RabbitMQ), the way an admin uses it:
// - reports over a period with checkouts, a refund and top-ups equal payments' ledger (the customers'
//   statements, reconciled) and the orders;
// - the anomaly rules that ask the owners over gRPC each raise a record and a metric: failed sign-ins
//   from one address (users), a ledger difference (payments' reconciliation), an overdue checkout saga
//   (orders), a failing webhook endpoint (notifications);
// - a force-cancel of a saga past its pivot is refused with problem+json, and changes nothing.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type BackofficeService,
  backofficeConfigSchema,
  startBackofficeService,
} from '@shopstack/backoffice';
import { createLogger } from '@shopstack/kit';
import {
  createTestDatabase,
  randomSuffix,
  type TestDatabase,
  testGrpcEnv,
  waitFor,
} from '@shopstack/kit/testing';
import { MongoClient } from 'mongodb';
import {
  createProduct,
  type RunningShop,
  type Session,
  settled,
  signUp,
  startShopProcesses,
  topUp,
} from '../checkout/support/shop.js';
import { infraEnv } from '../support/env.js';

const NEVER = '0 0 1 1 *'; // the schedule stays out of the way: the test runs each sweep itself

describe('the back office on the real shop: reports equal to the ledger, anomaly rules, saga repairs', function () {
  this.timeout(240_000);
  let shop: RunningShop;
  let backoffice: BackofficeService;
  let database: TestDatabase;
  let admin: Session;
  let ann: Session;
  let bob: Session;
  let kettle: string;
  let failingReceiver: Server;
  const queue = `backoffice.reporting.${randomSuffix()}`;

  before(async () => {
    shop = await startShopProcesses({
      withNotifications: { publicUrl: 'http://127.0.0.1:9' },
      // A stuck saga stays stuck until someone repairs it.
      ordersEnv: { RESERVE_STOCK_TIMEOUT_MS: '120000', HOLD_FUNDS_TIMEOUT_MS: '120000' },
    });
    database = await createTestDatabase('backoffice_shop');
    backoffice = await startBackofficeService(
      backofficeConfigSchema.parse({
        HOST: '127.0.0.1',
        HTTP_PORT: '0',
        GRPC_PORT: '0',
        ...testGrpcEnv('backoffice'),
        LOG_LEVEL: 'silent',
        DATABASE_URL: database.url,
        AMQP_URL: infraEnv('AMQP_URL'),
        EVENTS_EXCHANGE: shop.names.events,
        EVENTS_QUEUE: queue,
        JWKS_URL: `${shop.users.httpUrl}/.well-known/jwks.json`,
        USERS_GRPC_ADDRESS: shop.users.grpcAddress!,
        CATALOG_GRPC_ADDRESS: shop.catalog.grpcAddress!,
        ORDERS_GRPC_ADDRESS: shop.orders.grpcAddress!,
        PAYMENTS_GRPC_ADDRESS: shop.payments.grpcAddress!,
        NOTIFICATIONS_GRPC_ADDRESS: shop.notifications!.grpcAddress!,
        WORKER_POLL_INTERVAL_MS: '200',
        ANOMALY_CRON: NEVER,
        RETENTION_CRON: NEVER,
        // The rate rules need far more traffic than this test makes: they stay silent.
        ANOMALY_MIN_ATTEMPTS: '1000',
        ANOMALY_SIGN_IN_FAILURES_PER_IP: '3',
        ANOMALY_SAGA_OVERDUE_SECONDS: '1',
        ANOMALY_WEBHOOK_FAILING_SECONDS: '0',
      }),
      createLogger({ service: 'backoffice', level: 'silent' }),
    );
    admin = await signUp(shop, 'admin');
    [ann, bob] = await Promise.all([signUp(shop), signUp(shop)]);
    kettle = await createProduct(shop, admin, 2_500, 100);
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

  async function checkout(customer: Session, quantity: number) {
    const added = await customer.call('POST', `${shop.orders.httpUrl}/api/orders/cart/lines`, {
      productId: kettle,
      quantity,
    });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    const placed = await customer.call('POST', `${shop.orders.httpUrl}/api/orders/checkout`, undefined, {
      'idempotency-key': randomUUID(),
    });
    assert.equal(placed.status, 202, JSON.stringify(placed.body));
    return placed.body.orderId as string;
  }

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
    return file.body as { totals: Record<string, Record<string, string>> };
  }

  /** The customer's EUR statement, every entry, from payments' own API. */
  async function statement(customer: Session) {
    const { body } = await customer.call('GET', `${shop.payments.httpUrl}/api/payments/accounts`);
    const account = body.accounts.find((a: { currency: string }) => a.currency === 'EUR');
    const page = await customer.call(
      'GET',
      `${shop.payments.httpUrl}/api/payments/accounts/${account.id}/statement?limit=200`,
    );
    assert.equal(page.status, 200, JSON.stringify(page.body));
    return page.body.entries as { kind: string; outcome: string; amount: string; reference: string }[];
  }

  it('reports checkouts, a refund and top-ups over a period exactly as the ledger and the orders have them', async () => {
    await topUp(shop, ann, 20_000);
    await topUp(shop, bob, 9_000);
    const orders = [await checkout(ann, 2), await checkout(bob, 3), await checkout(ann, 1)];
    for (const [index, orderId] of orders.entries())
      assert.equal((await settled(shop, index === 1 ? bob : ann, orderId)).status, 'confirmed');
    const cancelled = await ann.call('POST', `${shop.orders.httpUrl}/api/orders/${orders[2]}/cancel`);
    assert.equal(cancelled.status, 202, JSON.stringify(cancelled.body));
    await waitFor(
      async () =>
        (await ann.call('GET', `${shop.orders.httpUrl}/api/orders/${orders[2]}`)).body.status === 'refunded',
      { timeoutMs: 30_000, what: 'the refund' },
    );
    // Every event has reached the reporting store: two top-ups, three captures, one refund.
    await waitFor(
      async () => {
        const { rows } = await backoffice.deps.pool.query<{ kind: string; n: number }>(
          'select kind, count(*)::int as n from rpt_money group by kind order by kind',
        );
        return JSON.stringify(rows) ===
          JSON.stringify([
            { kind: 'capture', n: 3 },
            { kind: 'refund', n: 1 },
            { kind: 'topup', n: 2 },
          ])
          ? rows
          : undefined;
      },
      { timeoutMs: 30_000, what: 'the events in the reporting store' },
    );

    // A period of whole days around now, so a run at midnight still has everything inside it.
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const [finance, sales] = [
      await report('finance', day(-1), day(1)),
      await report('sales', day(-1), day(1)),
    ];

    // The ledger: what payments' statements say moved, by the kind of operation behind each entry.
    const ledger = { topupMinor: 0n, captureMinor: 0n, refundMinor: 0n };
    for (const customer of [ann, bob])
      for (const entry of await statement(customer)) {
        if (entry.outcome !== 'applied') continue;
        const amount = BigInt(entry.amount);
        if (entry.kind === 'hold_capture') ledger.captureMinor += -amount;
        else if (entry.reference.startsWith('top_')) ledger.topupMinor += amount;
        else if (entry.reference.startsWith('ref_')) ledger.refundMinor += amount;
      }
    assert.deepEqual(ledger, { topupMinor: 29_000n, captureMinor: 15_000n, refundMinor: 2_500n });
    const eur = finance.totals.EUR!;
    assert.deepEqual(
      {
        topupMinor: BigInt(eur.topupMinor!),
        captureMinor: BigInt(eur.captureMinor!),
        refundMinor: BigInt(eur.refundMinor!),
      },
      ledger,
    );
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
    stuckOrder = await checkout(ann, 1);
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
    const before = await statement(ann);

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
    assert.deepEqual(await statement(ann), before);
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
});
