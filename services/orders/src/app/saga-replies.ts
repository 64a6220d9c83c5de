// Replies from the catalog, consumed through the kit's inbox: the order's events and the saga's next
// step commit in the same transaction as the "handled" mark, so a duplicate reply changes nothing.
import type { IncomingMessage, PoolClient } from '@shopstack/kit';
import { stockReply } from '@shopstack/proto/messages';
import { loadOrder } from '../adapters/order-repository.js';
import { lockSaga } from '../adapters/saga-store.js';
import type { OrdersDeps } from './deps.js';
import { compensate, onStockCommitted, onStockReserved } from './saga-transitions.js';

export async function handleStockReply(
  client: PoolClient,
  deps: OrdersDeps,
  message: IncomingMessage,
): Promise<void> {
  if (message.type !== stockReply.type) {
    deps.logger.warn({ type: message.type }, 'unexpected message on the saga replies queue; ignored');
    return;
  }
  // A reply that breaks the contract fails here and, after one retry, waits in the dead-letter queue.
  const reply = stockReply.parse(message.payload);
  const saga = await lockSaga(client, reply.orderId);
  const order = saga && (await loadOrder(client, reply.orderId));
  if (!saga || !order) {
    deps.logger.warn({ orderId: reply.orderId }, 'stock reply for an unknown order; ignored');
    return;
  }
  // A reply that arrives after its step is over (timed out, cancelled) is a fact we already acted on.
  if (reply.command === 'reserve-stock' && saga.step === 'reserve_stock') {
    if (reply.status === 'reserved') return onStockReserved(client, deps, saga, order);
    const detail = reply.shortages.map((s) => `${s.productId}: ${s.reason}`).join(', ');
    await compensate(client, deps, saga, order, 'out_of_stock', {
      detail,
      nothingReserved: reply.status === 'rejected',
    });
    return;
  }
  if (reply.command === 'commit-stock' && saga.step === 'commit_stock' && reply.status === 'committed') {
    await onStockCommitted(client, deps, saga, order);
  }
}
