// Consumes `order.confirmed` from the integration-events exchange into the catalog's purchases,
// through the kit's inbox: the purchase and the "handled" mark commit together, so redelivery is a
// no-op. A malformed event fails twice and lands in `<queue>.dead` for a human to look at.
import {
  type ChannelModel,
  connectRabbit,
  consumeWithInbox,
  declareQueue,
  type Logger,
  type Pool,
} from '@shopstack/kit';
import { recordOrderConfirmed } from '../app/purchases.js';

export const ORDER_CONFIRMED = 'order.confirmed';

export interface OrderEventsConsumerOptions {
  amqpUrl: string;
  exchange: string;
  queue: string;
  pool: Pool;
  logger: Logger;
}

export interface OrderEventsConsumer {
  isConnected(): boolean;
  close(): Promise<void>;
}

export async function startOrderEventsConsumer(
  options: OrderEventsConsumerOptions,
): Promise<OrderEventsConsumer> {
  const connection: ChannelModel = await connectRabbit(options.amqpUrl, 'catalog-order-events');
  let connected = true;
  let closing = false;
  connection.on('close', () => {
    connected = false;
    if (!closing) options.logger.error('order events connection lost');
  });
  const channel = await connection.createChannel();
  await declareQueue(channel, {
    queue: options.queue,
    bindings: [{ exchange: options.exchange, pattern: ORDER_CONFIRMED }],
  });
  await consumeWithInbox({
    channel,
    queue: options.queue,
    pool: options.pool,
    consumer: 'catalog.purchases',
    logger: options.logger,
    handle: async (client, message) => {
      const event = await recordOrderConfirmed(client, message.payload);
      options.logger.debug({ orderId: event.orderId }, 'purchases recorded');
    },
  });
  return {
    isConnected: () => connected,
    async close() {
      closing = true;
      await connection.close().catch(() => {});
    },
  };
}
