// The bank test: concurrent transfers, holds, captures, voids and refunds between a few accounts while
// the payments process is SIGKILLed and restarted three times. Clients retry with the same idempotency
// keys. Afterwards: money is conserved to the minor unit, no balance is negative, every key took effect
// exactly once (balances equal a model built from the first answers), and reconciliation finds nothing.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { channelCredentialsOf } from '@shopstack/kit';
import {
  freePort,
  type SpawnedService,
  spawnService,
  startTestIssuer,
  type TestIssuer,
  testGrpcTransport,
  waitFor,
} from '@shopstack/kit/testing';
import {
  HoldStatus,
  PaymentsServiceDefinition,
  type RefundResponse,
  RefundStatus,
} from '@shopstack/proto/shop/payments/v1/payments';
import { type Channel, createChannel, createClient } from 'nice-grpc';
import { Accounts } from '../../src/adapters/accounts.js';
import { Journal } from '../../src/adapters/journal.js';
import { connectPaymentsDb, type PaymentsDb } from '../../src/adapters/mongo.js';
import { Reconciliation } from '../../src/app/reconciliation.js';
import { allowsOverdraft, customerAccountId } from '../../src/domain/ids.js';
import { mongoUrl, testDbName } from '../support/db.js';
import { serviceEnv, TEST_FEES_JSON } from '../support/env.js';
import { postRetrying, retries, untilAnswered } from '../support/retrying.js';

const USERS = 4;
const FUNDING = 50_000n;
const TRANSFERS = 120;
const HOLD_FLOWS = 60;
const WORKERS = 6;
const KILL_AT = [0.2, 0.45, 0.7];
const SERVICE_DIR = fileURLToPath(new URL('../..', import.meta.url));
/** Cashback on captures: 1.5 %, rounded up, never more than was captured. */
const CASHBACK_BP = 150n;
/** Topped up once more by two customers and then charged back: won for one, lost for the other. */
const DISPUTED = 7_000n;

const cashbackOn = (captured: bigint) => {
  const cashback = (captured * CASHBACK_BP + 9_999n) / 10_000n;
  return cashback < captured ? cashback : captured;
};

// A deterministic pseudo-random sequence, so a failing run can be replayed.
function rng(seed: number) {
  let state = seed >>> 0;
  return (n: number) => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state % n;
  };
}

describe('the bank test: payments survives SIGKILL without losing or creating money', function () {
  this.timeout(240_000);
  const dbName = testDbName();
  const users = Array.from({ length: USERS }, (_, i) => `bank-${i}-${randomUUID()}`);
  const tokens = new Map<string, string>();
  const expected = new Map(users.map((u) => [u, FUNDING]));
  const random = rng(Number(process.env.BANK_SEED ?? 20261122));
  let issuer: TestIssuer;
  let proc: SpawnedService;
  let starts = 0;
  let env: Record<string, string>;
  /** (Re)starts the process on the same ports, so the clients' addresses stay valid. */
  const start = async () => {
    proc = await spawnService(SERVICE_DIR, env);
    starts++;
  };
  let channel: Channel;
  let client: ReturnType<typeof createClient<typeof PaymentsServiceDefinition>>;
  let db: PaymentsDb;
  let httpUrl: string;
  const replays: (() => Promise<void>)[] = [];
  const adjust = (user: string, delta: bigint) => expected.set(user, expected.get(user)! + delta);
  let cashbackPaid = 0n;

  before(async () => {
    issuer = await startTestIssuer();
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    httpUrl = `http://127.0.0.1:${httpPort}`;
    env = serviceEnv(dbName, issuer.jwksUrl, {
      HTTP_PORT: String(httpPort),
      GRPC_PORT: String(grpcPort),
      FEES_JSON: JSON.stringify({
        ...JSON.parse(TEST_FEES_JSON),
        cashback: { basisPoints: Number(CASHBACK_BP) },
      }),
    });
    await start();
    // As orders calls it (the money steps are orders' alone).
    channel = createChannel(
      `127.0.0.1:${grpcPort}`,
      channelCredentialsOf(await testGrpcTransport('orders')),
      {
        'grpc.initial_reconnect_backoff_ms': 100,
        'grpc.max_reconnect_backoff_ms': 500,
      },
    );
    client = createClient(PaymentsServiceDefinition, channel);
    db = await connectPaymentsDb(mongoUrl(), dbName);
    for (const user of users) tokens.set(user, await issuer.token(user));
  });

  after(async () => {
    channel?.close();
    await proc?.stop();
    await issuer?.close();
    await db?.db.dropDatabase();
    await db?.client.close();
  });

  it('funds every account through the sandbox provider', async () => {
    for (const user of users) {
      const r = await postRetrying(`${httpUrl}/api/payments/topups`, tokens.get(user)!, randomUUID(), {
        currency: 'EUR',
        amount: FUNDING.toString(),
        source: 'tok_visa',
      });
      assert.equal(r.status, 202);
    }
    await waitFor(
      async () => (await db.movements.countDocuments({ kind: 'topup', status: 'completed' })) === USERS,
      {
        timeoutMs: 30_000,
        what: 'every top-up to complete',
      },
    );
  });

  it('charges back two more top-ups: the won one comes back, the lost one is gone', async () => {
    for (const [user, token] of [
      [users[0]!, 'tok_chargeback_won'],
      [users[1]!, 'tok_chargeback_lost'],
    ] as const) {
      const r = await postRetrying(`${httpUrl}/api/payments/topups`, tokens.get(user)!, randomUUID(), {
        currency: 'EUR',
        amount: DISPUTED.toString(),
        source: token,
      });
      assert.equal(r.status, 202);
    }
    await waitFor(
      async () =>
        (await db.disputes.countDocuments({ status: 'won' })) === 1 &&
        (await db.disputes.countDocuments({ status: 'lost' })) === 1,
      { timeoutMs: 30_000, what: 'both disputes to be decided' },
    );
    adjust(users[0]!, DISPUTED);
    for (const user of users.slice(0, 2)) {
      const state = await new Journal(db).state(customerAccountId(user, 'EUR'));
      assert.equal(state.balance, expected.get(user), `${user} after the chargeback`);
    }
  });

  it('runs transfers, holds, captures, voids and refunds while the process is killed three times', async () => {
    const operations: (() => Promise<void>)[] = [];
    for (let i = 0; i < TRANSFERS; i++) operations.push(transferOp(i));
    for (let i = 0; i < HOLD_FLOWS; i++) operations.push(holdFlowOp(i));
    // Interleave transfers and hold flows.
    operations.sort(() => random(3) - 1);
    let next = 0;
    let done = 0;
    const worker = async () => {
      while (next < operations.length) {
        await operations[next++]!();
        done++;
      }
    };
    const killer = async () => {
      for (const fraction of KILL_AT) {
        await waitFor(() => done >= operations.length * fraction, {
          timeoutMs: 180_000,
          intervalMs: 20,
          what: 'progress',
        });
        await proc.kill();
        await start();
      }
    };
    await Promise.all([killer(), ...Array.from({ length: WORKERS }, worker)]);
    assert.equal(done, operations.length);
    assert.equal(starts, 1 + KILL_AT.length);
    // The kills hit requests in flight: clients had to retry (with the same keys).
    assert.ok(retries.count > 0, 'no request was interrupted by the kills');
  });

  it('replaying requests with their keys returns the first results and moves nothing', async () => {
    const entries = await db.journal.countDocuments();
    for (const replay of replays.filter((_, i) => i % 5 === 0)) await replay();
    assert.equal(await db.journal.countDocuments(), entries);
  });

  it('ends consistent: conserved, nothing negative, each key once, reconciliation clean', async () => {
    // Let the recovery job finish anything a kill interrupted.
    await waitFor(
      async () =>
        (await db.movements.countDocuments({ status: 'pending' })) === 0 &&
        (await db.holds.countDocuments({ status: { $in: ['pending', 'closing'] } })) === 0 &&
        (await db.refunds.countDocuments({ status: 'pending' })) === 0,
      { timeoutMs: 30_000, what: 'every operation to settle' },
    );
    const journal = new Journal(db);
    let total = 0n;
    let customers = 0n;
    const spent = { cashback: 0n, chargebacks: 0n };
    for await (const account of new Accounts(db).all()) {
      const state = await journal.state(account._id);
      total += state.balance;
      if (account.kind === 'cashback' || account.kind === 'chargebacks') spent[account.kind] -= state.balance;
      if (!allowsOverdraft(account._id)) {
        assert.ok(state.balance >= 0n && state.balance - state.held >= 0n, `${account._id} went negative`);
        customers += state.balance;
      }
      assert.equal(state.held, 0n, `${account._id} still holds ${state.held}`);
    }
    assert.equal(total, 0n, 'double entry: all balances, clearing included, sum to zero');
    assert.equal(spent.cashback, cashbackPaid, 'the cashback account paid exactly the cashback answered');
    assert.equal(spent.chargebacks, 0n, 'both charged-back customers could cover their disputes');
    assert.equal(
      customers,
      FUNDING * BigInt(USERS) + DISPUTED + cashbackPaid,
      'customers + fees + sales = what came in and stayed, plus the cashback the shop paid',
    );
    // Each dispute moved money once each way it should: opened once, won paid back once, lost never.
    for (const dispute of await db.disputes.find({}).toArray()) {
      const movements = await db.movements.find({ _id: { $regex: `^${dispute._id}_` } }).toArray();
      assert.deepEqual(
        movements.map((m) => `${m._id.slice(dispute._id.length + 1)}:${m.status}`).sort(),
        dispute.status === 'won' ? ['open_0:completed', 'won:completed'] : ['open_0:completed'],
      );
    }
    for (const user of users) {
      const state = await journal.state(customerAccountId(user, 'EUR'));
      assert.equal(state.balance, expected.get(user), `balance of ${user} differs from the first answers`);
    }
    for (const movement of await db.movements.find({ kind: 'transfer' }).toArray()) {
      const legs = await db.journal.countDocuments({ ref: movement._id });
      assert.equal(
        legs,
        movement.status === 'completed' ? movement.legs.length : 1,
        `transfer ${movement._id}`,
      );
    }
    assert.equal(await db.movements.countDocuments({ kind: 'transfer' }), TRANSFERS);
    assert.equal(await db.holds.countDocuments(), HOLD_FLOWS);
    const report = await new Reconciliation(new Accounts(db), journal).run();
    assert.deepEqual(report.problems, []);
    assert.equal(report.differenceByCurrency.get('EUR'), 0n);
    assert.equal(report.imbalanceByCurrency.get('EUR'), 0n);
  });

  function transferOp(i: number) {
    const from = users[random(USERS)]!;
    const to = users[(users.indexOf(from) + 1 + random(USERS - 1)) % USERS]!;
    const amount = BigInt(1 + random(4_000));
    const key = `transfer-${i}-${randomUUID()}`;
    const send = () =>
      postRetrying(`${httpUrl}/api/payments/transfers`, tokens.get(from)!, key, {
        toUserId: to,
        currency: 'EUR',
        amount: amount.toString(),
      });
    return async () => {
      const first = await send();
      assert.equal(first.status, 201, JSON.stringify(first.body));
      if (first.body.status === 'completed') {
        adjust(from, -(amount + BigInt(first.body.fee)));
        adjust(to, amount);
      }
      replays.push(async () => assert.deepEqual((await send()).body, first.body));
    };
  }

  function holdFlowOp(i: number) {
    const user = users[random(USERS)]!;
    const amount = BigInt(1 + random(3_000));
    const action = random(3); // 0, 1: capture (full or part); 2: void
    const partial = random(2) === 0;
    const refundShare = random(3); // 0: none, 1: part, 2: part twice
    const keys = { hold: `hold-${i}-${randomUUID()}`, close: randomUUID() };
    return async () => {
      const authorize = () =>
        untilAnswered(() =>
          client.authorizeHold(
            {
              idempotencyKey: keys.hold,
              orderId: `order-${i}`,
              userId: user,
              amountMinor: amount.toString(),
              currency: 'EUR',
            },
            { signal: AbortSignal.timeout(10_000) },
          ),
        );
      const { hold } = await authorize();
      replays.push(async () => assert.equal((await authorize()).hold?.holdId, hold?.holdId));
      if (hold?.status !== HoldStatus.HOLD_STATUS_AUTHORIZED) {
        assert.equal(hold?.status, HoldStatus.HOLD_STATUS_DECLINED);
        return;
      }
      if (action === 2) {
        const voided = await untilAnswered(() =>
          client.voidHold({ idempotencyKey: keys.close, holdId: hold.holdId }),
        );
        assert.equal(voided.hold?.status, HoldStatus.HOLD_STATUS_VOIDED);
        return;
      }
      const requested = partial ? 1n + (amount - 1n) / 2n : 0n;
      const { hold: captured } = await untilAnswered(() =>
        client.captureHold({
          idempotencyKey: keys.close,
          holdId: hold.holdId,
          amountMinor: requested.toString(),
        }),
      );
      assert.equal(captured?.status, HoldStatus.HOLD_STATUS_CAPTURED);
      const capturedAmount = BigInt(captured!.capturedMinor);
      const cashback = cashbackOn(capturedAmount);
      adjust(user, cashback - capturedAmount);
      cashbackPaid += cashback;
      for (let r = 0; r < refundShare; r++) {
        const refundKey = `refund-${i}-${r}`;
        const share = (capturedAmount + 1n) / 2n;
        const answer: RefundResponse = await untilAnswered<RefundResponse>(() =>
          client.refund({ idempotencyKey: refundKey, holdId: hold.holdId, amountMinor: share.toString() }),
        );
        if (answer.refund?.status === RefundStatus.REFUND_STATUS_COMPLETED) {
          // The cashback on the refunded share goes back to the cashback account.
          const returned = (cashback * share) / capturedAmount;
          adjust(user, share - returned);
          cashbackPaid -= returned;
        } else assert.equal(answer.refund?.status, RefundStatus.REFUND_STATUS_DECLINED);
      }
    };
  }
});
