// The catalog's side of the checkout saga: stock commands from orders arrive on a durable queue
// (`catalog.reserve-stock`, `catalog.release-stock`, `catalog.commit-stock`), are applied through the
// stock use cases inside the kit's inbox transaction, and the reply goes out through the outbox in that
// same transaction. So a command is applied once and answered once, whatever the redeliveries.
import {
  AppError,
  type ConsumerDeclaration,
  enqueueOutbox,
  type Logger,
  type Pool,
  type PoolClient,
  type RunningConsumer,
  startConsumer,
} from '@shopstack/kit';
import { commitStockIn, releaseStockIn, reserveStockIn } from '../app/stock.js';
import type { Reservation, StockLine } from '../domain/stock.js';

export const STOCK_REPLY_TYPE = 'catalog.stock-reservation';
export const STOCK_COMMANDS = ['catalog.reserve-stock', 'catalog.release-stock', 'catalog.commit-stock'];

export interface SagaStockCommandsOptions {
  /** Topic exchange for saga commands and replies. */
  exchange: string;
  queue: string;
  pool: Pool;
}

interface StockCommand {
  orderId: string;
  lines?: StockLine[];
  /** Routing key the reply is published under. */
  replyTo: string;
}

export function sagaStockCommandsConsumer(options: SagaStockCommandsOptions): ConsumerDeclaration {
  return {
    name: 'catalog.saga-commands',
    queue: options.queue,
    bindings: STOCK_COMMANDS.map((pattern) => ({ exchange: options.exchange, pattern })),
    pool: options.pool,
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
  };
}

/** The stock-command consumer on its own (the catalog service runs it unless SAGA_COMMANDS=off). */
export function startSagaStockCommands(
  options: SagaStockCommandsOptions & { amqpUrl: string; logger: Logger },
): Promise<RunningConsumer> {
  return startConsumer(sagaStockCommandsConsumer(options), { service: 'catalog', ...options });
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
