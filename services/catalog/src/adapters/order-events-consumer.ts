// Consumes `order.completed` from the integration-events exchange into the catalog's purchases. The
// saga's commit-stock command names the buyer, so the commit has usually recorded the purchase
// already; this event covers the commits that did not (an orders process that does not send the
// buyer, a commit made over gRPC). Recording is an insert that ignores what is there, so the
// consumer needs no inbox: a redelivered event, or one whose purchase the commit recorded, changes
// nothing and writes nothing (no inbox row either — one write per order less). A malformed event
// fails twice and lands in `<queue>.dead` for a human to look at.
import type { AtLeastOnceConsumerDeclaration, Logger, Pool } from '@shopstack/kit';
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

export function orderEventsConsumer(options: OrderEventsConsumerOptions): AtLeastOnceConsumerDeclaration {
  return {
    name: 'catalog.purchases',
    queue: options.queue,
    bindings: [{ exchange: options.exchange, pattern: orderCompleted.type }],
    handle: async (message) => {
      const { event, recorded } = await recordOrderCompleted(options.pool, message.payload);
      options.logger.debug({ orderId: event.orderId, recorded }, 'purchases learned from order.completed');
      options.metrics.purchasesRecorded(recorded);
    },
  };
}
