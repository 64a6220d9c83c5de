// Durable state of the checkout saga, one row per order: its step, when it is due, its deadline, the
// lease of the worker running it, and the order's state as of its last event (so a step needs no
// replay of the stream). No transaction is held across a remote call: a worker claims due steps
// (a lease with an expiry), calls, and records the outcome in a short transaction that checks it
// still owns the step. Replies and cancels lock the row (`for update`) for their short transaction.
import { injectTraceContext, type Pool, type PoolClient, type Queryable } from '@shopstack/kit';
import type pg from 'pg';
import type { CheckoutStep } from '../app/checkout-saga.js';
import type { StepTiming } from '../app/saga-definition.js';
import type { Order } from '../domain/order.js';

export type SagaStep = CheckoutStep | 'done';

/** Channel a move notifies when it leaves work due now, so idle engines of every replica wake up. */
export const SAGA_CHANNEL = 'orders_saga_due';

export interface SagaRow {
  orderId: string;
  step: SagaStep;
  deadlineAt: Date | null;
  /** The deadline has passed (by the database's clock, which every replica shares). */
  expired: boolean;
  attempts: number;
  leaseOwner: string | null;
  /** A worker's lease on the step is running (its call may be in flight). */
  leased: boolean;
  /** Undefined for sagas started before the state was kept here: the stream is read instead. */
  order: Order | undefined;
  /** W3C trace headers of the checkout that started the saga. */
  traceContext: Record<string, string>;
}

interface Row {
  order_id: string;
  step: SagaStep;
  deadline_at: Date | null;
  expired: boolean;
  attempts: number;
  lease_owner: string | null;
  leased: boolean;
  order_state: OrderJson | null;
  trace_context: Record<string, string>;
}

const columns = `order_id, step, deadline_at, attempts, lease_owner, order_state, trace_context,
  coalesce(deadline_at <= now(), false) as expired, coalesce(lease_until > now(), false) as leased`;
const toSaga = (row: Row): SagaRow => ({
  orderId: row.order_id,
  step: row.step,
  deadlineAt: row.deadline_at,
  expired: row.expired,
  attempts: row.attempts,
  leaseOwner: row.lease_owner,
  leased: row.leased,
  order: row.order_state ? fromJson(row.order_state) : undefined,
  traceContext: row.trace_context,
});

/** Starts a saga; the trace active now (the checkout request's) is kept for all its steps. */
export async function insertSaga(
  db: Queryable,
  order: Order,
  step: SagaStep,
  timing: StepTiming,
): Promise<void> {
  await db.query(
    `insert into checkout_sagas (order_id, step, next_attempt_at, deadline_at, trace_context, order_state)
     values ($1, $2, now() + $3 * interval '1 millisecond', now() + $4 * interval '1 millisecond', $5, $6)`,
    [
      order.id,
      step,
      timing.firstAttemptInMs,
      timing.deadlineInMs,
      JSON.stringify(injectTraceContext()),
      toJson(order),
    ],
  );
}

/** The saga, its row locked until the caller's transaction ends. */
export async function lockSaga(db: Queryable, orderId: string): Promise<SagaRow | undefined> {
  const { rows } = await db.query<Row>(
    `select ${columns} from checkout_sagas where order_id = $1 for update`,
    [orderId],
  );
  return rows[0] && toSaga(rows[0]);
}

/**
 * Claims up to `limit` due sagas for `owner` for `leaseMs`: one statement, one short transaction.
 * A saga whose lease ran out (its worker died) is due again and is taken over here.
 */
export async function claimDueSagas(
  db: Queryable,
  owner: string,
  leaseMs: number,
  limit: number,
): Promise<SagaRow[]> {
  const { rows } = await db.query<Row>(
    `with due as (
       select order_id from checkout_sagas
        where step <> 'done' and next_attempt_at <= now() and (lease_until is null or lease_until <= now())
        order by next_attempt_at limit $3 for update skip locked)
     update checkout_sagas s set lease_owner = $1, lease_until = now() + $2 * interval '1 millisecond'
       from due where s.order_id = due.order_id
     returning ${columns.replaceAll('order_id', 's.order_id')}`,
    [owner, leaseMs, limit],
  );
  return rows.map(toSaga);
}

/** How long until the next saga is due (or a lease runs out); undefined when nothing is pending. */
export async function msUntilNextDue(db: Queryable): Promise<number | undefined> {
  const { rows } = await db.query<{ ms: number | null }>(
    `select extract(epoch from min(greatest(next_attempt_at, coalesce(lease_until, next_attempt_at))) - now())
            * 1000 as ms
       from checkout_sagas where step <> 'done'`,
  );
  const ms = rows[0]?.ms;
  return ms === null || ms === undefined ? undefined : Math.max(0, Number(ms));
}

export interface MoveRecord {
  from: SagaStep;
  to: SagaStep;
  timing: StepTiming;
  order: Order;
  /** Keep the saga leased to this worker (it runs the next step at once) for `leaseMs`. */
  keepLease?: { owner: string; leaseMs: number };
  /** Only if this worker still holds the step (a step taken over meanwhile is not overwritten). */
  expectedOwner?: string;
}

/** Moves to another step with fresh timing and attempts; false when the guard did not hold. */
export async function moveSaga(db: Queryable, move: MoveRecord): Promise<boolean> {
  const result = await db.query(
    `update checkout_sagas set step = $2, step_started_at = now(), attempts = 0, last_error = null,
       next_attempt_at = now() + $3 * interval '1 millisecond',
       deadline_at = now() + $4 * interval '1 millisecond',
       order_state = $5, updated_at = now(),
       lease_owner = $6, lease_until = now() + $7 * interval '1 millisecond'
     where order_id = $1 and step = $8 and ($9::text is null or lease_owner = $9)`,
    [
      move.order.id,
      move.to,
      move.timing.firstAttemptInMs,
      move.timing.deadlineInMs,
      toJson(move.order),
      move.keepLease?.owner ?? null,
      move.keepLease?.leaseMs ?? null,
      move.from,
      move.expectedOwner ?? null,
    ],
  );
  return result.rowCount === 1;
}

/** Stays in the step and tries again later, never later than its deadline; the lease is let go. */
export async function retrySagaLater(
  db: Queryable,
  saga: { orderId: string; step: SagaStep },
  owner: string,
  delayMs: number,
  error: string,
): Promise<boolean> {
  const result = await db.query(
    `update checkout_sagas set attempts = attempts + 1, last_error = $3, updated_at = now(),
       next_attempt_at = least(now() + $2 * interval '1 millisecond', coalesce(deadline_at, 'infinity')),
       lease_owner = null, lease_until = null
     where order_id = $1 and step = $4 and lease_owner = $5`,
    [saga.orderId, delayMs, error.slice(0, 500), saga.step, owner],
  );
  return result.rowCount === 1;
}

/** A back-office retry: the step is due now with fresh attempts; its deadline stays. Wakes every engine. */
export async function makeSagaDueNow(db: Queryable, orderId: string): Promise<void> {
  await db.query(
    `update checkout_sagas set attempts = 0, last_error = null, next_attempt_at = now(), updated_at = now()
     where order_id = $1 and step <> 'done'`,
    [orderId],
  );
  await db.query('select pg_notify($1, $2)', [SAGA_CHANNEL, orderId]);
}

/** Lets go of a lease without changing the step (a stopping worker, a step with nothing to do). */
export async function releaseLease(db: Queryable, orderId: string, owner: string): Promise<void> {
  await db.query(
    'update checkout_sagas set lease_owner = null, lease_until = null where order_id = $1 and lease_owner = $2',
    [orderId, owner],
  );
}

export interface SagaStatus {
  step: SagaStep;
  attempts: number;
  lastError: string | null;
  deadlineAt: Date | null;
}

/** The saga's state for support tools, without locking it. */
export async function findSagaStatus(db: Queryable, orderId: string): Promise<SagaStatus | undefined> {
  const { rows } = await db.query<{
    step: SagaStep;
    attempts: number;
    last_error: string | null;
    deadline_at: Date | null;
  }>('select step, attempts, last_error, deadline_at from checkout_sagas where order_id = $1', [orderId]);
  const row = rows[0];
  return (
    row && { step: row.step, attempts: row.attempts, lastError: row.last_error, deadlineAt: row.deadline_at }
  );
}

// The aggregate in JSON: money as decimal strings (JSON has no int64), times as ISO strings.
type OrderJson = Omit<Order, 'totalMinor' | 'refundedMinor' | 'placedAt' | 'updatedAt' | 'confirmedAt'> & {
  totalMinor: string;
  refundedMinor: string;
  placedAt: string;
  updatedAt: string;
  confirmedAt?: string;
};

function toJson(order: Order): string {
  return JSON.stringify({
    ...order,
    totalMinor: order.totalMinor.toString(),
    refundedMinor: order.refundedMinor.toString(),
  });
}

function fromJson(json: OrderJson): Order {
  return {
    ...json,
    totalMinor: BigInt(json.totalMinor),
    refundedMinor: BigInt(json.refundedMinor),
    placedAt: new Date(json.placedAt),
    updatedAt: new Date(json.updatedAt),
    confirmedAt: json.confirmedAt ? new Date(json.confirmedAt) : undefined,
  } as Order;
}

/** Unfinished sagas by step, for the orders_sagas_unfinished gauge. */
export async function countUnfinishedSagasByStep(db: Queryable): Promise<{ step: string; count: number }[]> {
  const { rows } = await db.query<{ step: string; count: string }>(
    `select step, count(*) from checkout_sagas where step <> 'done' group by step`,
  );
  return rows.map((row) => ({ step: row.step, count: Number(row.count) }));
}

/** Unfinished sagas whose next attempt is more than a minute late (the engine is stuck or down). */
export async function countOverdueSagas(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ count: string }>(
    `select count(*) from checkout_sagas where step <> 'done' and next_attempt_at < now() - interval '1 minute'`,
  );
  return Number(rows[0]?.count ?? 0);
}

/** Tells every listening engine, at commit, that a saga is due now. */
export async function notifySagaDue(db: Queryable, orderId: string): Promise<void> {
  await db.query('select pg_notify($1, $2)', [SAGA_CHANNEL, orderId]);
}

export interface SagaDueListener {
  /** Whether the connection still listens (false once it was lost). */
  readonly listening: boolean;
  close(): Promise<void>;
}

/** Listens on one pooled connection for sagas made due; `onLost` when that connection fails. */
export async function listenForDueSagas(
  pool: Pool,
  onDue: () => void,
  onLost: (error: Error) => void,
): Promise<SagaDueListener> {
  const client: PoolClient = await pool.connect();
  const raw = client as unknown as pg.Client;
  let listening = false;
  raw.on('notification', onDue);
  raw.once('error', (error) => {
    listening = false;
    client.release(error);
    onLost(error);
  });
  try {
    await client.query(`listen ${SAGA_CHANNEL}`);
  } catch (error) {
    raw.removeAllListeners('notification');
    client.release(error as Error);
    throw error;
  }
  listening = true;
  return {
    get listening() {
      return listening;
    },
    async close() {
      raw.removeAllListeners('notification');
      if (!listening) return;
      listening = false;
      await client.query(`unlisten ${SAGA_CHANNEL}`).catch(() => {});
      client.release();
    },
  };
}

export interface OverdueSaga {
  orderId: string;
  step: SagaStep;
  attempts: number;
  startedAt: Date;
  deadlineAt: Date | null;
  lastError: string | null;
}

/**
 * Unfinished sagas whose checkout started more than `olderThanSeconds` ago, or whose step's deadline
 * has passed without the timeout having moved them: the oldest `limit`, and how many there are.
 */
export async function findOverdueSagas(
  db: Queryable,
  olderThanSeconds: number,
  limit: number,
): Promise<{ total: number; sagas: OverdueSaga[] }> {
  const { rows } = await db.query<OverdueSaga & { total: number }>(
    `select s.order_id as "orderId", s.step, s.attempts, v.placed_at as "startedAt",
            s.deadline_at as "deadlineAt", s.last_error as "lastError", count(*) over ()::int as total
       from checkout_sagas s join order_views v using (order_id)
      where s.step <> 'done'
        and (v.placed_at < now() - make_interval(secs => $1) or s.deadline_at < now())
      order by v.placed_at, s.order_id limit $2`,
    [olderThanSeconds, limit],
  );
  return { total: rows[0]?.total ?? 0, sagas: rows.map(({ total: _total, ...saga }) => saga) };
}
