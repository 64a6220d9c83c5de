// The catalog's side of the checkout saga: stock commands from orders arrive on a durable queue
// (`catalog.reserve-stock`, `catalog.release-stock`, `catalog.commit-stock`), are applied through the
// stock use cases inside the kit's inbox transaction, and the reply goes out through the outbox in that
// same transaction. So a command is applied once and answered once, whatever the redeliveries.
import {
  AppError,
  consumeWithInbox,
  declareQueue,
  enqueueOutbox,
  type Logger,
  type Pool,
  type PoolClient,
} from '@shopstack/kit';
import { commitStockIn, releaseStockIn, reserveStockIn } from '../app/stock.js';
import type { Reservation, StockLine } from '../domain/stock.js';
import { type ResilientConsumer, startResilientConsumer } from './resilient-consumer.js';

export const STOCK_REPLY_TYPE = 'catalog.stock-reservation';
export const STOCK_COMMANDS = ['catalog.reserve-stock', 'catalog.release-stock', 'catalog.commit-stock'];

export interface SagaStockCommandsOptions {
  amqpUrl: string;
  /** Topic exchange for saga commands and replies. */
  exchange: string;
  queue: string;
  pool: Pool;
  logger: Logger;
  connectionName?: string;
}

interface StockCommand {
  orderId: string;
  lines?: StockLine[];
  /** Routing key the reply is published under. */
  replyTo: string;
}

export type SagaStockCommands = ResilientConsumer;

/** Reconnects by itself after a lost broker connection (see resilient-consumer.ts). */
export function startSagaStockCommands(options: SagaStockCommandsOptions): Promise<SagaStockCommands> {
  return startResilientConsumer({
    amqpUrl: options.amqpUrl,
    connectionName: options.connectionName ?? `catalog ${options.queue}`,
    logger: options.logger,
    setup: async (channel) => {
      await declareQueue(channel, {
        queue: options.queue,
        bindings: STOCK_COMMANDS.map((pattern) => ({ exchange: options.exchange, pattern })),
      });
      await consumeWithInbox({
        channel,
        queue: options.queue,
        pool: options.pool,
        consumer: 'catalog.saga-commands',
        logger: options.logger,
        handle: async (client, message) => {
          const command = message.payload as StockCommand;
          // Without a reply address the saga cannot hear back: let it go to the dead-letter queue.
          if (typeof command?.replyTo !== 'string' || command.replyTo === '')
            throw new Error(`${message.type} ${message.id} has no replyTo`);
          const reservation = await apply(client, message.type, command);
          await enqueueOutbox(client, {
            exchange: options.exchange,
            routingKey: command.replyTo,
            type: STOCK_REPLY_TYPE,
            payload: replyOf(message.type, command.orderId, reservation),
          });
        },
      });
    },
  });
}

async function apply(
  client: PoolClient,
  type: string,
  command: StockCommand,
): Promise<Reservation | undefined> {
  switch (type) {
    case 'catalog.reserve-stock':
      try {
        return await reserveStockIn(client, command.orderId, command.lines ?? []);
      } catch (error) {
        // A malformed reserve is answered as a rejection: the saga must hear back either way.
        if (error instanceof AppError && error.kind === 'invalid') return undefined;
        throw error;
      }
    case 'catalog.release-stock':
      return releaseStockIn(client, command.orderId);
    case 'catalog.commit-stock':
      return commitStockIn(client, command.orderId);
    default:
      throw new Error(`unknown saga command ${type}`);
  }
}

function replyOf(type: string, orderId: string, reservation: Reservation | undefined) {
  return {
    orderId,
    command: type.replace(/^catalog\./, ''),
    status: reservation?.status ?? 'rejected',
    shortages: reservation?.shortages ?? [],
  };
}
