// Stock corrections by the back office: an admin sets a product's counted units with a reason. One
// transaction holds the product's row lock: the new count, the correction's record (who, why, before
// and after) and its repair.recorded event in the outbox commit together. A repeat under the same
// client key returns the first correction.
import { randomUUID } from 'node:crypto';
import { AppError, enqueueOutbox, type Queryable, withTransaction } from '@shopstack/kit';
import { repairRecorded } from '@shopstack/proto/messages';
import { findProduct, updateProduct } from '../adapters/products-repository.js';
import type { CatalogDeps } from './deps.js';
import { productNotFound, requireCoversReserved } from './products.js';

export interface StockCorrectionCommand {
  idempotencyKey: string;
  productId: string;
  onHand: number;
  actorId: string;
  reason: string;
}

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

export function correctStock(deps: CatalogDeps, command: StockCorrectionCommand): Promise<StockCorrection> {
  return withTransaction(deps.pool, async (client) => {
    const product = await findProduct(client, command.productId, true);
    // After the row lock: a concurrent repeat of this key waits, then finds the first correction.
    const earlier = await findCorrection(client, command.idempotencyKey);
    if (earlier) {
      const same =
        earlier.productId === command.productId &&
        earlier.onHandAfter === command.onHand &&
        earlier.reason === command.reason;
      if (!same)
        throw new AppError('conflict', 'idempotency-key-reused', 'this key was used for another correction');
      return earlier;
    }
    if (!product) throw productNotFound(command.productId);
    requireCoversReserved(product, command.onHand);
    await updateProduct(client, product.id, { stockOnHand: command.onHand });
    const correction = await insertCorrection(client, {
      ...command,
      correctionId: randomUUID(),
      onHandBefore: product.stockOnHand,
      reserved: product.stockReserved,
    });
    await enqueueOutbox(client, {
      exchange: deps.eventsExchange,
      routingKey: repairRecorded.type,
      type: repairRecorded.type,
      messageId: correction.correctionId,
      payload: repairRecorded.encode({
        repairId: correction.correctionId,
        kind: 'stock_correction',
        service: 'catalog',
        subjectId: product.id,
        actorId: command.actorId,
        reason: command.reason,
        before: { onHand: correction.onHandBefore, reserved: correction.reserved },
        after: { onHand: correction.onHandAfter, reserved: correction.reserved },
        at: correction.at.toISOString(),
      }),
    });
    deps.logger.info(
      { productId: product.id, actorId: command.actorId, from: product.stockOnHand, to: command.onHand },
      'stock corrected',
    );
    return correction;
  });
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

async function findCorrection(db: Queryable, idempotencyKey: string): Promise<StockCorrection | undefined> {
  const { rows } = await db.query<Row>('select * from stock_corrections where idempotency_key = $1', [
    idempotencyKey,
  ]);
  return rows[0] && toCorrection(rows[0]);
}

async function insertCorrection(
  db: Queryable,
  c: StockCorrectionCommand & Pick<StockCorrection, 'correctionId' | 'onHandBefore' | 'reserved'>,
): Promise<StockCorrection> {
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
