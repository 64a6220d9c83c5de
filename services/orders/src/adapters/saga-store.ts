// Durable state of the checkout saga, one row per order. Every change to a saga happens with its row
// locked, so the engine, reply handlers and a customer's cancel never act on the same order at once.
import { injectTraceContext, type Queryable } from '@shopstack/kit';
import type { SagaStep } from '../domain/saga.js';

export interface SagaRow {
  orderId: string;
  step: SagaStep;
  deadlineAt: Date | null;
  attempts: number;
  holdId: string | null;
  /** W3C trace headers of the checkout that started the saga. */
  traceContext: Record<string, string>;
}

interface Row {
  order_id: string;
  step: SagaStep;
  deadline_at: Date | null;
  attempts: number;
  hold_id: string | null;
  trace_context: Record<string, string>;
}

const columns = 'order_id, step, deadline_at, attempts, hold_id, trace_context';
const toSaga = (row: Row): SagaRow => ({
  orderId: row.order_id,
  step: row.step,
  deadlineAt: row.deadline_at,
  attempts: row.attempts,
  holdId: row.hold_id,
  traceContext: row.trace_context,
});

/** When to look at the saga next and when its step gives up (null: never). */
export interface StepTiming {
  nextAttemptInMs: number;
  deadlineInMs: number | null;
}

/** Starts a saga; the trace active now (the checkout request's) is kept for all its steps. */
export async function insertSaga(
  db: Queryable,
  orderId: string,
  step: SagaStep,
  timing: StepTiming,
): Promise<void> {
  await db.query(
    `insert into checkout_sagas (order_id, step, next_attempt_at, deadline_at, trace_context)
     values ($1, $2, now() + $3 * interval '1 millisecond', now() + $4 * interval '1 millisecond', $5)`,
    [orderId, step, timing.nextAttemptInMs, timing.deadlineInMs, JSON.stringify(injectTraceContext())],
  );
}

export async function lockSaga(db: Queryable, orderId: string): Promise<SagaRow | undefined> {
  const { rows } = await db.query<Row>(
    `select ${columns} from checkout_sagas where order_id = $1 for update`,
    [orderId],
  );
  return rows[0] && toSaga(rows[0]);
}

/** The next saga that is due, locked; sagas another worker holds are skipped. */
export async function lockNextDueSaga(db: Queryable): Promise<SagaRow | undefined> {
  const { rows } = await db.query<Row>(
    `select ${columns} from checkout_sagas
      where step <> 'done' and next_attempt_at <= now()
      order by next_attempt_at limit 1 for update skip locked`,
  );
  return rows[0] && toSaga(rows[0]);
}

/** Moves to another step with fresh timing and attempts. */
export async function moveSaga(
  db: Queryable,
  orderId: string,
  step: SagaStep,
  timing: StepTiming,
  holdId?: string,
) {
  await db.query(
    `update checkout_sagas set step = $2, step_started_at = now(), attempts = 0, last_error = null,
       next_attempt_at = now() + $3 * interval '1 millisecond',
       deadline_at = now() + $4 * interval '1 millisecond',
       hold_id = coalesce($5, hold_id), updated_at = now()
     where order_id = $1`,
    [orderId, step, timing.nextAttemptInMs, timing.deadlineInMs, holdId ?? null],
  );
}

/** Stays in the step and tries again later, never later than the step's deadline. */
export async function retrySagaLater(db: Queryable, orderId: string, delayMs: number, error: string) {
  await db.query(
    `update checkout_sagas set attempts = attempts + 1, last_error = $3, updated_at = now(),
       next_attempt_at = least(now() + $2 * interval '1 millisecond', coalesce(deadline_at, 'infinity'))
     where order_id = $1`,
    [orderId, delayMs, error.slice(0, 500)],
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
