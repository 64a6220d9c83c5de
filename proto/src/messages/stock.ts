// The checkout saga's stock commands (orders → catalog, on the commands exchange, routing key = the
// type) and the catalog's one reply type (catalog → orders, routing key = the command's replyTo).
import { z } from 'zod';
import { defineMessage } from './contract.js';

const orderId = z.string().min(1).max(128);
/** Routing key (and queue) of the saga's replies. */
const replyTo = z.string().min(1).max(255);

export const reserveStock = defineMessage(
  'catalog.reserve-stock',
  1,
  z.object({
    orderId,
    replyTo,
    lines: z.array(z.object({ productId: z.string().min(1), quantity: z.number().int().positive() })).min(1),
  }),
);

export const releaseStock = defineMessage('catalog.release-stock', 1, z.object({ orderId, replyTo }));

/**
 * `userId`, the buyer, lets the catalog record who bought what in the commit's own transaction
 * instead of in a second one when `order.completed` arrives. Optional: a command from an orders
 * process that does not send it is still applied, and its purchases are learned from the event.
 */
export const commitStock = defineMessage(
  'catalog.commit-stock',
  1,
  z.object({ orderId, replyTo, userId: z.string().min(1).max(128).optional() }),
);

export const STOCK_COMMANDS = [reserveStock, releaseStock, commitStock] as const;

export const stockReply = defineMessage(
  'catalog.stock-reservation',
  1,
  z.object({
    orderId,
    command: z.enum(['reserve-stock', 'release-stock', 'commit-stock']),
    status: z.enum(['reserved', 'rejected', 'released', 'committed']),
    shortages: z.array(
      z.object({
        productId: z.string(),
        requested: z.number().int(),
        available: z.number().int(),
        reason: z.string(),
      }),
    ),
  }),
);

export type StockReply = z.output<typeof stockReply.schema>;
