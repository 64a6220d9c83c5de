// Replies from the catalog, consumed through the kit's inbox: the order's events and the saga's next
// step commit in the same transaction as the "handled" mark, so a duplicate reply changes nothing.
// A next step that is a call due at once stays leased to this process and starts after the commit.
import type { IncomingMessage, PoolClient } from '@shopstack/kit';
import { stockReply } from '@shopstack/proto/messages';
import type { OrdersDeps } from './deps.js';

export async function handleStockReply(
  client: PoolClient,
  deps: OrdersDeps,
  message: IncomingMessage,
): Promise<(() => void) | undefined> {
  if (message.type !== stockReply.type) {
    deps.logger.warn({ type: message.type }, 'unexpected message on the saga replies queue; ignored');
    return undefined;
  }
  // A reply that breaks the contract fails here and, after one retry, waits in the dead-letter queue.
  const next = await deps.engine().onReply(client, stockReply.parse(message.payload));
  return next && (() => deps.engine().runLeased(next));
}
