// The queue the catalog's saga replies arrive on (routing key of the same name on the commands
// exchange), consumed through the kit's reconnecting inbox consumer.
import type { ConsumerDeclaration, IncomingMessage, Pool, PoolClient } from '@shopstack/kit';

export function sagaRepliesConsumer(options: {
  commandsExchange: string;
  queue: string;
  pool: Pool;
  /** May return a function to run after the reply's transaction committed. */
  handle: (client: PoolClient, message: IncomingMessage) => Promise<unknown>;
}): ConsumerDeclaration {
  return {
    name: 'orders.saga-replies',
    queue: options.queue,
    bindings: [{ exchange: options.commandsExchange, pattern: options.queue }],
    pool: options.pool,
    handle: options.handle,
  };
}
