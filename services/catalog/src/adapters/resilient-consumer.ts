// A RabbitMQ consumer that survives losing its connection: when the broker connection (or the
// channel) closes, it reconnects with exponential backoff and runs `setup` again (declare the queue,
// start consuming). Unacknowledged messages return to the durable queue meanwhile, so none is lost.
// (The kit has no reconnecting consumer yet; this is the catalog's own, small one.)
import { type Channel, type ChannelModel, connectRabbit, type Logger } from '@shopstack/kit';

const MAX_BACKOFF_MS = 30_000;

export interface ResilientConsumerOptions {
  amqpUrl: string;
  /** Shown by the broker (`rabbitmqctl list_connections client_properties`). */
  connectionName: string;
  logger: Logger;
  /** Declares what it needs and starts consuming on the channel. */
  setup: (channel: Channel) => Promise<void>;
  firstRetryMs?: number;
}

export interface ResilientConsumer {
  isConnected(): boolean;
  close(): Promise<void>;
}

/** Resolves once the first connection consumes; a broker that is down at start fails the start. */
export async function startResilientConsumer(options: ResilientConsumerOptions): Promise<ResilientConsumer> {
  const { logger } = options;
  const log = { consumer: options.connectionName };
  let connection: ChannelModel | undefined;
  let closing = false;
  let retryTimer: NodeJS.Timeout | undefined;

  async function connect(): Promise<void> {
    const opened = await connectRabbit(options.amqpUrl, options.connectionName);
    try {
      const channel = await opened.createChannel();
      // A channel closed by the broker (not the connection) would stop consuming silently: start over.
      channel.on('close', () => void opened.close().catch(() => {}));
      channel.on('error', () => {});
      await options.setup(channel);
    } catch (error) {
      await opened.close().catch(() => {});
      throw error;
    }
    opened.on('close', () => {
      connection = undefined;
      if (closing) return;
      logger.warn(log, 'broker connection lost; reconnecting');
      scheduleReconnect(options.firstRetryMs ?? 500);
    });
    connection = opened;
  }

  function scheduleReconnect(delayMs: number) {
    retryTimer = setTimeout(() => {
      if (closing) return;
      connect()
        .then(() => logger.info(log, 'consumer reconnected'))
        .catch((error) => {
          logger.warn({ ...log, err: error, retryInMs: delayMs * 2 }, 'reconnect failed');
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
