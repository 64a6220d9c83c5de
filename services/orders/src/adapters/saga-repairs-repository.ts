// The record of every saga repair (who, why, before and after), keyed by the client's idempotency key.
import type { Queryable } from '@shopstack/kit';

export type SagaRepairKind = 'saga_retry' | 'saga_force_cancel';

export interface SagaSnapshot {
  status: string;
  step: string;
  attempts: number;
}

export interface SagaRepairRecord {
  idempotencyKey: string;
  repairId: string;
  orderId: string;
  kind: SagaRepairKind;
  actorId: string;
  reason: string;
  before: SagaSnapshot;
  after: SagaSnapshot;
  at: Date;
}

interface Row {
  idempotency_key: string;
  repair_id: string;
  order_id: string;
  kind: SagaRepairKind;
  actor_id: string;
  reason: string;
  before: SagaSnapshot;
  after: SagaSnapshot;
  at: Date;
}

const toRecord = (row: Row): SagaRepairRecord => ({
  idempotencyKey: row.idempotency_key,
  repairId: row.repair_id,
  orderId: row.order_id,
  kind: row.kind,
  actorId: row.actor_id,
  reason: row.reason,
  before: row.before,
  after: row.after,
  at: row.at,
});

export async function findSagaRepair(db: Queryable, idempotencyKey: string) {
  const { rows } = await db.query<Row>('select * from saga_repairs where idempotency_key = $1', [
    idempotencyKey,
  ]);
  return rows[0] && toRecord(rows[0]);
}

export async function insertSagaRepair(
  db: Queryable,
  record: Omit<SagaRepairRecord, 'at'>,
): Promise<SagaRepairRecord> {
  const { rows } = await db.query<Row>(
    `insert into saga_repairs (idempotency_key, repair_id, order_id, kind, actor_id, reason, before, after)
     values ($1, $2, $3, $4, $5, $6, $7, $8) returning *`,
    [
      record.idempotencyKey,
      record.repairId,
      record.orderId,
      record.kind,
      record.actorId,
      record.reason,
      JSON.stringify(record.before),
      JSON.stringify(record.after),
    ],
  );
  return toRecord(rows[0]!);
}

export async function listSagaRepairs(db: Queryable, orderId: string): Promise<SagaRepairRecord[]> {
  const { rows } = await db.query<Row>('select * from saga_repairs where order_id = $1 order by at', [
    orderId,
  ]);
  return rows.map(toRecord);
}
