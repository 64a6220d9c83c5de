// The queue the catalog's saga replies arrive on, consumed through the kit's inbox.
import {
  type ChannelModel,
  connectRabbit,
  consumeWithInbox,
  declareExchange,
  declareQueue,
  type IncomingMessage,
  type Logger,
  type Pool,
  type PoolClient,
} from '@shopstack/kit';

export interface RepliesConsumer {
  isConnected(): boolean;
  close(): Promise<void>;
}

export async function startRepliesConsumer(options: {
  amqpUrl: string;
  commandsExchange: string;
  eventsExchange: string;
  queue: string;
  pool: Pool;
  logger: Logger;
  handle: (client: PoolClient, message: IncomingMessage) => Promise<void>;
}): Promise<RepliesConsumer> {
  const connection: ChannelModel = await connectRabbit(options.amqpUrl, 'orders-saga-replies');
  let connected = true;
  let closing = false;
  connection.on('close', () => {
    connected = false;
    if (!closing) options.logger.error('saga replies connection lost');
  });
  const channel = await connection.createChannel();
  // The relay publishes to both exchanges; they must exist before the first command goes out.
  await declareExchange(channel, options.eventsExchange);
  await declareQueue(channel, {
    queue: options.queue,
    bindings: [{ exchange: options.commandsExchange, pattern: options.queue }],
  });
  await consumeWithInbox({
    channel,
    queue: options.queue,
    pool: options.pool,
    consumer: 'orders.saga-replies',
    logger: options.logger,
    handle: options.handle,
  });
  return {
    isConnected: () => connected,
    async close() {
      closing = true;
      await connection.close().catch(() => {});
    },
  };
}
