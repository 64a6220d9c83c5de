// A RabbitMQ consumer that survives the broker: when the connection or the channel closes, it
// reconnects with exponential backoff, declares its queue again and resubscribes. Messages that
// were not acknowledged return to the durable queue meanwhile, so none is lost; `isConnected()`
// feeds readiness, so /readyz says "not ready" while a consumer is cut off.
//
// Every message goes through the inbox (see inbox.ts): the handler's effect and the "handled" mark
// commit together, so redelivery after a reconnect is harmless. A handler that is harmless to run twice
// by itself may go without the inbox (AtLeastOnceConsumerDeclaration), e.g. in a service with no
// PostgreSQL.
import type { Pool, PoolClient } from '../db/pool.js';
import type { Logger } from '../logging.js';
import type { ServiceMetrics } from '../metrics.js';
import { consumeAtLeastOnce, consumeWithInbox, type IncomingMessage } from './inbox.js';
import {
  type Channel,
  type ChannelModel,
  type ConfirmChannel,
  connectRabbit,
  declareQueue,
  type QueueSpec,
} from './rabbit.js';

const MAX_BACKOFF_MS = 30_000;

/** What a service declares for one queue it consumes. */
export interface ConsumerDeclaration extends QueueSpec {
  /** Name under which handled message ids are recorded in the inbox; one per logical consumer. */
  name: string;
  pool: Pool;
  /** May return a function, run once the transaction committed, or a reply to send (see inbox.ts). */
  handle: (client: PoolClient, message: IncomingMessage) => Promise<unknown>;
  prefetch?: number;
}

/** A queue whose handler is idempotent by itself: consumed at least once, without the inbox. */
export interface AtLeastOnceConsumerDeclaration extends QueueSpec {
  name: string;
  /** Awaited before the acknowledgement; run again when the broker redelivers (see consumeAtLeastOnce). */
  handle: (message: IncomingMessage) => Promise<unknown>;
  prefetch?: number;
}

export interface ConsumerRuntime {
  /** The consuming service; its connection shows up at the broker as `<service> <queue>`. */
  service: string;
  amqpUrl: string;
  logger: Logger;
  /** First reconnect delay; doubles up to 30 s. */
  firstRetryMs?: number;
  /** Where dead-lettered messages are counted (the kit's boot passes the service's metrics). */
  metrics?: Pick<ServiceMetrics, 'deadLettered'>;
}

export interface RunningConsumer {
  readonly name: string;
  isConnected(): boolean;
  close(): Promise<void>;
}

/** Resolves once the first connection consumes; a broker that is down at start fails the start. */
export function startConsumer(
  declaration: ConsumerDeclaration | AtLeastOnceConsumerDeclaration,
  runtime: ConsumerRuntime,
): Promise<RunningConsumer> {
  return startResilientChannel({
    amqpUrl: runtime.amqpUrl,
    connectionName: `${runtime.service} ${declaration.queue}`,
    logger: runtime.logger,
    firstRetryMs: runtime.firstRetryMs,
    name: declaration.name,
    setup: async (channel, connection) => {
      await declareQueue(channel, declaration, connection);
      const delivery = {
        channel,
        queue: declaration.queue,
        logger: runtime.logger,
        prefetch: declaration.prefetch,
        deadLettered: runtime.metrics?.deadLettered,
      };
      if (!('pool' in declaration)) {
        await consumeAtLeastOnce({ ...delivery, handle: declaration.handle });
        return;
      }
      // Replies (inbox.ts) go out on a confirm channel of the same connection, opened on first use
      // and again after it closed.
      let replies: Promise<ConfirmChannel> | undefined;
      const replyChannel = () => {
        replies ??= connection.createConfirmChannel().then((opened) => {
          opened.on('error', () => {});
          opened.on('close', () => {
            replies = undefined;
          });
          return opened;
        });
        replies.catch(() => {
          replies = undefined;
        });
        return replies;
      };
      await consumeWithInbox({
        ...delivery,
        pool: declaration.pool,
        consumer: declaration.name,
        handle: declaration.handle,
        replies: replyChannel,
      });
    },
  });
}

interface ResilientChannelOptions {
  name: string;
  amqpUrl: string;
  /** Shown by the broker (`rabbitmqctl list_connections client_properties`). */
  connectionName: string;
  logger: Logger;
  setup: (channel: Channel, connection: ChannelModel) => Promise<void>;
  firstRetryMs?: number | undefined;
}

async function startResilientChannel(options: ResilientChannelOptions): Promise<RunningConsumer> {
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
      await options.setup(channel, opened);
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
    name: options.name,
    isConnected: () => connection !== undefined,
    async close() {
      closing = true;
      clearTimeout(retryTimer);
      await connection?.close().catch(() => {});
    },
  };
}
