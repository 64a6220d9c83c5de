// The record of every stock correction (who, why, before and after), keyed by the client's key.
import type { Queryable } from '@shopstack/kit';

export interface StockCorrection {
  correctionId: string;
  productId: string;
  actorId: string;
  reason: string;
  onHandBefore: number;
  onHandAfter: number;
  reserved: number;
  at: Date;
}

/** What a correction stores: the request (its key, product, new count, who and why) and what it found. */
export interface NewStockCorrection
  extends Pick<
    StockCorrection,
    'correctionId' | 'productId' | 'actorId' | 'reason' | 'onHandBefore' | 'reserved'
  > {
  idempotencyKey: string;
  onHand: number;
}

interface Row {
  correction_id: string;
  product_id: string;
  actor_id: string;
  reason: string;
  on_hand_before: number;
  on_hand_after: number;
  reserved: number;
  at: Date;
}

const toCorrection = (row: Row): StockCorrection => ({
  correctionId: row.correction_id,
  productId: row.product_id,
  actorId: row.actor_id,
  reason: row.reason,
  onHandBefore: row.on_hand_before,
  onHandAfter: row.on_hand_after,
  reserved: row.reserved,
  at: row.at,
});

export async function findCorrection(
  db: Queryable,
  idempotencyKey: string,
): Promise<StockCorrection | undefined> {
  const { rows } = await db.query<Row>('select * from stock_corrections where idempotency_key = $1', [
    idempotencyKey,
  ]);
  return rows[0] && toCorrection(rows[0]);
}

export async function insertCorrection(db: Queryable, c: NewStockCorrection): Promise<StockCorrection> {
  const { rows } = await db.query<Row>(
    `insert into stock_corrections
       (idempotency_key, correction_id, product_id, actor_id, reason, on_hand_before, on_hand_after, reserved)
     values ($1, $2, $3, $4, $5, $6, $7, $8) returning *`,
    [
      c.idempotencyKey,
      c.correctionId,
      c.productId,
      c.actorId,
      c.reason,
      c.onHandBefore,
      c.onHand,
      c.reserved,
    ],
  );
  return toCorrection(rows[0]!);
}
