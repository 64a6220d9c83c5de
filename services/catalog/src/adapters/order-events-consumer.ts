// Consumes `order.completed` from the integration-events exchange into the catalog's purchases,
// through the kit's inbox: the purchase and the "handled" mark commit together, so redelivery is a
// no-op. A malformed event fails twice and lands in `<queue>.dead` for a human to look at.
import type { ConsumerDeclaration, Logger, Pool } from '@shopstack/kit';
import { orderCompleted } from '@shopstack/proto/messages';
import type { CatalogMetrics } from '../app/metrics.js';
import { recordOrderCompleted } from '../app/purchases.js';

export interface OrderEventsConsumerOptions {
  exchange: string;
  queue: string;
  pool: Pool;
  logger: Logger;
  metrics: CatalogMetrics;
}

export function orderEventsConsumer(options: OrderEventsConsumerOptions): ConsumerDeclaration {
  return {
    name: 'catalog.purchases',
    queue: options.queue,
    bindings: [{ exchange: options.exchange, pattern: orderCompleted.type }],
    pool: options.pool,
    handle: async (client, message) => {
      const event = await recordOrderCompleted(client, message.payload);
      options.logger.debug({ orderId: event.orderId }, 'purchases recorded');
      options.metrics.purchasesRecorded(event.lines.length);
    },
  };
}
