// Consumes `order.confirmed` from the integration-events exchange into the catalog's purchases,
// through the kit's inbox: the purchase and the "handled" mark commit together, so redelivery is a
// no-op. A malformed event fails twice and lands in `<queue>.dead` for a human to look at.
// When the broker connection drops, the consumer reconnects with backoff; unacknowledged messages
// return to the queue meanwhile, so nothing is lost.
import {
  type ChannelModel,
  connectRabbit,
  consumeWithInbox,
  declareQueue,
  type Logger,
  type Pool,
} from '@shopstack/kit';
import type { CatalogMetrics } from '../app/metrics.js';
import { recordOrderConfirmed } from '../app/purchases.js';

export const ORDER_CONFIRMED = 'order.confirmed';
const MAX_BACKOFF_MS = 30_000;

export interface OrderEventsConsumerOptions {
  amqpUrl: string;
  exchange: string;
  queue: string;
  pool: Pool;
  logger: Logger;
  metrics: CatalogMetrics;
  /** Shown by the broker (`rabbitmqctl list_connections client_properties`). */
  connectionName?: string;
  firstRetryMs?: number;
}

export interface OrderEventsConsumer {
  isConnected(): boolean;
  close(): Promise<void>;
}

/** Resolves once the first connection consumes; a broker that is down at start fails the start. */
export async function startOrderEventsConsumer(
  options: OrderEventsConsumerOptions,
): Promise<OrderEventsConsumer> {
  const { logger } = options;
  let connection: ChannelModel | undefined;
  let closing = false;
  let retryTimer: NodeJS.Timeout | undefined;

  async function connect(): Promise<void> {
    const opened = await connectRabbit(options.amqpUrl, options.connectionName ?? 'catalog-order-events');
    try {
      const channel = await opened.createChannel();
      // A channel closed by the broker (not the connection) would stop consuming silently: start over.
      channel.on('close', () => void opened.close().catch(() => {}));
      channel.on('error', () => {});
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
    } catch (error) {
      await opened.close().catch(() => {});
      throw error;
    }
    opened.on('close', () => {
      connection = undefined;
      if (closing) return;
      logger.warn('order events connection lost; reconnecting');
      scheduleReconnect(options.firstRetryMs ?? 500);
    });
    connection = opened;
  }

  function scheduleReconnect(delayMs: number) {
    retryTimer = setTimeout(() => {
      if (closing) return;
      connect()
        .then(() => logger.info('order events consumer reconnected'))
        .catch((error) => {
          logger.warn({ err: error, retryInMs: delayMs * 2 }, 'order events reconnect failed');
          scheduleReconnect(Math.min(delayMs * 2, MAX_BACKOFF_MS));
        });
    }, delayMs);
  }

  await connect();
  return {
    isConnected: () => connection !== undefined,
    async close() {
      closing = true;
      clearTimeout(retryTimer);
      await connection?.close().catch(() => {});
    },
  };
}
