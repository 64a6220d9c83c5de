// Consumes `order.confirmed` from the integration-events exchange into the catalog's purchases,
// through the kit's inbox: the purchase and the "handled" mark commit together, so redelivery is a
// no-op. A malformed event fails twice and lands in `<queue>.dead` for a human to look at.
import { consumeWithInbox, declareQueue, type Logger, type Pool } from '@shopstack/kit';
import type { CatalogMetrics } from '../app/metrics.js';
import { recordOrderConfirmed } from '../app/purchases.js';
import { type ResilientConsumer, startResilientConsumer } from './resilient-consumer.js';

export const ORDER_CONFIRMED = 'order.confirmed';

export interface OrderEventsConsumerOptions {
  amqpUrl: string;
  exchange: string;
  queue: string;
  pool: Pool;
  logger: Logger;
  metrics: CatalogMetrics;
  connectionName?: string;
}

export function startOrderEventsConsumer(options: OrderEventsConsumerOptions): Promise<ResilientConsumer> {
  const { logger } = options;
  return startResilientConsumer({
    amqpUrl: options.amqpUrl,
    connectionName: options.connectionName ?? `catalog ${options.queue}`,
    logger,
    setup: async (channel) => {
      await declareQueue(channel, {
        queue: options.queue,
        bindings: [{ exchange: options.exchange, pattern: ORDER_CONFIRMED }],
      });
      await consumeWithInbox({
        channel,
        queue: options.queue,
        pool: options.pool,
        consumer: 'catalog.purchases',
        logger,
        handle: async (client, message) => {
          const event = await recordOrderConfirmed(client, message.payload);
          logger.debug({ orderId: event.orderId }, 'purchases recorded');
          options.metrics.purchasesRecorded(event.lines.length);
        },
      });
    },
  });
}
