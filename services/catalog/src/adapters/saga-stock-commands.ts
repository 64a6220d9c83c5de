// The catalog's side of the checkout saga: stock commands from orders arrive on a durable queue
// (`catalog.reserve-stock`, `catalog.release-stock`, `catalog.commit-stock`), are applied through the
// stock use cases inside the kit's inbox transaction, and the reply is stored with the inbox row in that
// same transaction and published (with a confirm) before the command is acknowledged — no outbox, so
// no relay's second write to mark it. A command the broker redelivers (the catalog died before the
// acknowledgement) is not applied again; its stored reply is sent again (the kit's inbox.ts). So a
// command is applied once, and answered at least once, whatever the redeliveries. A commit that names
// the buyer records the purchase in the same transaction (see order-events-consumer.ts).
import {
  AppError,
  type ConsumerDeclaration,
  type HandlerReply,
  type Logger,
  type Pool,
  type PoolClient,
  type RunningConsumer,
  startConsumer,
} from '@shopstack/kit';
import {
  commitStock,
  releaseStock,
  reserveStock,
  STOCK_COMMANDS,
  type StockReply,
  stockReply,
} from '@shopstack/proto/messages';
import type { CatalogMetrics, StockOperation } from '../app/metrics.js';
import { recordCommittedPurchase } from '../app/purchases.js';
import { commitStockIn, releaseStockIn, reserveStockIn } from '../app/stock.js';
import type { Reservation } from '../domain/stock.js';

export interface SagaStockCommandsOptions {
  /** Topic exchange for saga commands and replies. */
  exchange: string;
  queue: string;
  pool: Pool;
  /** Counts each command applied, as the gRPC stock calls are counted. */
  stockMetrics?: CatalogMetrics;
}

type StockCommandType = (typeof STOCK_COMMANDS)[number]['type'];

export function sagaStockCommandsConsumer(options: SagaStockCommandsOptions): ConsumerDeclaration {
  return {
    name: 'catalog.saga-commands',
    queue: options.queue,
    bindings: STOCK_COMMANDS.map(({ type }) => ({ exchange: options.exchange, pattern: type })),
    pool: options.pool,
    handle: async (client, message) => {
      // Every command names its order and where to reply (release-stock's contract is exactly that).
      // Without them the saga cannot hear back: let it go to the dead-letter queue.
      const envelope = releaseStock.safeParse(message.payload);
      if (!envelope.success) throw new Error(`${message.type} ${message.id} has no orderId / replyTo`);
      const type = message.type as StockCommandType;
      const { reservation, purchases = 0 } = await apply(
        client,
        type,
        envelope.data.orderId,
        message.payload,
      );
      // Counted once the inbox transaction committed, so a rolled-back or redelivered command is not.
      const operation = type.replace(/^catalog\.|-stock$/g, '') as StockOperation;
      const reply: HandlerReply = {
        reply: {
          exchange: options.exchange,
          routingKey: envelope.data.replyTo,
          type: stockReply.type,
          payload: stockReplyOf(type, envelope.data.orderId, reservation),
        },
        afterCommit: () => {
          options.stockMetrics?.stockCall(operation, reservation?.status ?? 'rejected');
          if (purchases > 0) options.stockMetrics?.purchasesRecorded(purchases);
        },
      };
      return reply;
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
  type: StockCommandType,
  orderId: string,
  payload: unknown,
): Promise<{ reservation: Reservation | undefined; purchases?: number }> {
  switch (type) {
    case reserveStock.type: {
      // A malformed reserve is answered as a rejection: the saga must hear back either way.
      const command = reserveStock.safeParse(payload);
      if (!command.success) return { reservation: undefined };
      try {
        return { reservation: await reserveStockIn(client, orderId, command.data.lines) };
      } catch (error) {
        if (error instanceof AppError && error.kind === 'invalid') return { reservation: undefined };
        throw error;
      }
    }
    case releaseStock.type:
      return { reservation: await releaseStockIn(client, orderId) };
    case commitStock.type: {
      const reservation = await commitStockIn(client, orderId);
      const buyer = commitStock.safeParse(payload).data?.userId;
      return {
        reservation,
        purchases: buyer ? await recordCommittedPurchase(client, reservation, buyer) : 0,
      };
    }
    default:
      throw new Error(`unknown saga command ${type}`);
  }
}

/** The reply to a stock command, as its contract says (exported for the contract test). */
export function stockReplyOf(type: StockCommandType, orderId: string, reservation: Reservation | undefined) {
  return stockReply.encode({
    orderId,
    command: type.replace(/^catalog\./, '') as StockReply['command'],
    status: reservation?.status ?? 'rejected',
    shortages: reservation?.shortages ?? [],
  });
}
