// Stock corrections by the back office: an admin sets a product's counted units with a reason. One
// transaction holds the product's row lock: the new count, the correction's record (who, why, before
// and after) and its repair.recorded event in the outbox commit together. A repeat under the same
// client key returns the first correction.
import { randomUUID } from 'node:crypto';
import { AppError, enqueueOutbox, withTransaction } from '@shopstack/kit';
import { repairRecorded } from '@shopstack/proto/messages';
import { findProduct, updateProduct } from '../adapters/products-repository.js';
import {
  findCorrection,
  insertCorrection,
  type StockCorrection,
} from '../adapters/stock-corrections-repository.js';
import type { CatalogDeps } from './deps.js';
import { productNotFound, requireCoversReserved } from './products.js';

export type { StockCorrection };

export interface StockCorrectionCommand {
  idempotencyKey: string;
  productId: string;
  onHand: number;
  actorId: string;
  reason: string;
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
