// The back office's repairs of a stuck checkout saga: retry the current step now, or force-cancel it
// with compensation (the step's own cancel: release the stock, void the hold; a finished, paid order
// is refunded). Each repair is one transaction holding the saga's row lock: the saga's move, the
// repair's record (who, why, before and after) and its repair.recorded event in the outbox commit
// together, and a repeat under the same client key returns the first repair.
import { randomUUID } from 'node:crypto';
import { AppError, enqueueOutbox, type PoolClient, withTransaction } from '@shopstack/kit';
import { repairRecorded } from '@shopstack/proto/messages';
import {
  findSagaRepair,
  insertSagaRepair,
  type SagaRepairKind,
  type SagaRepairRecord,
  type SagaSnapshot,
} from '../adapters/saga-repairs-repository.js';
import { lockSaga, makeSagaDueNow, type SagaRow } from '../adapters/saga-store.js';
import type { Order } from '../domain/order.js';
import type { OrdersDeps } from './deps.js';

export interface SagaRepairCommand {
  idempotencyKey: string;
  orderId: string;
  actorId: string;
  reason: string;
}

const refused = (code: string, message: string) => new AppError('conflict', code, message);

export function retrySaga(deps: OrdersDeps, command: SagaRepairCommand): Promise<SagaRepairRecord> {
  return repair(deps, 'saga_retry', command, async (client, saga) => {
    if (saga.step === 'done') throw refused('saga-finished', 'the saga has finished; nothing to retry');
    if (saga.leased) throw refused('saga-step-in-flight', 'a worker is running the step now; try again');
    await makeSagaDueNow(client, saga.orderId);
  });
}

export function forceCancelSaga(deps: OrdersDeps, command: SagaRepairCommand): Promise<SagaRepairRecord> {
  const engine = deps.engine();
  return repair(deps, 'saga_force_cancel', command, async (client, saga, order) => {
    if (saga.step !== 'done' && saga.leased)
      throw refused('saga-step-in-flight', 'a worker is running the step now; try again');
    const move =
      saga.step === 'done'
        ? engine.definition.onCancelWhenDone?.when(order)
        : engine.definition.steps[saga.step].onCancel?.(order, 'shop');
    if (!move)
      throw saga.step === 'done'
        ? refused('nothing-to-cancel', `the order is ${order.status}; nothing is left to cancel`)
        : refused(
            'saga-past-pivot',
            `the saga is in ${saga.step}, past the order's confirmation, and only moves forward: retry it`,
          );
    await engine.applyMove(client, saga, order, move);
  });
}

async function repair(
  deps: OrdersDeps,
  kind: SagaRepairKind,
  command: SagaRepairCommand,
  act: (client: PoolClient, saga: SagaRow, order: Order) => Promise<void>,
): Promise<SagaRepairRecord> {
  const engine = deps.engine();
  return withTransaction(deps.pool, async (client) => {
    // The row lock first: a concurrent repeat of this key waits here and then finds the first repair.
    const saga = await lockSaga(client, command.orderId);
    const order = saga && (await engine.orderOf(client, saga));
    const earlier = await findSagaRepair(client, command.idempotencyKey);
    if (earlier) {
      if (earlier.kind !== kind || earlier.orderId !== command.orderId || earlier.reason !== command.reason)
        throw new AppError('conflict', 'idempotency-key-reused', 'this key was used for another repair');
      return earlier;
    }
    if (!saga || !order) throw new AppError('not_found', 'order-not-found', `No order ${command.orderId}`);
    const before = snapshot(saga, order);
    await act(client, saga, order);
    const moved = (await lockSaga(client, command.orderId))!;
    const after = snapshot(moved, (await engine.orderOf(client, moved))!);
    const record = await insertSagaRepair(client, {
      ...command,
      repairId: randomUUID(),
      kind,
      before,
      after,
    });
    await enqueueOutbox(client, {
      exchange: deps.eventsExchange,
      routingKey: repairRecorded.type,
      type: repairRecorded.type,
      messageId: record.repairId,
      payload: repairRecorded.encode({
        repairId: record.repairId,
        kind,
        service: 'orders',
        subjectId: command.orderId,
        actorId: command.actorId,
        reason: command.reason,
        before: { ...before },
        after: { ...after },
        at: record.at.toISOString(),
      }),
    });
    deps.logger.info(
      { orderId: command.orderId, repair: kind, actorId: command.actorId, before, after },
      'saga repaired',
    );
    return record;
  });
}

function snapshot(saga: SagaRow, order: Order): SagaSnapshot {
  return { status: order.status, step: saga.step, attempts: saga.attempts };
}
