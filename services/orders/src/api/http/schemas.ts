// Input schemas of the orders HTTP API.
import { cursorParam } from '@shopstack/kit';
import { z } from 'zod';
import { OrderPosition } from '../../adapters/order-views.js';
import { MAX_QUANTITY } from '../../domain/order.js';

export const productParams = z.object({ productId: z.uuid('a product id (UUID)') });
export const orderParams = z.object({ orderId: z.uuid('an order id (UUID)') });
export const quantitySchema = z.number().int('a whole number').min(1).max(MAX_QUANTITY);

export const addLineBody = z
  .object({ productId: z.uuid('a product id (UUID)'), quantity: quantitySchema })
  .strict();
export const changeLineBody = z.object({ quantity: quantitySchema }).strict();

export const listQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: cursorParam(OrderPosition).optional(),
  })
  .strict();

export const attentionQuery = z
  .object({ limit: z.coerce.number().int().min(1).max(500).default(100) })
  .strict();

export const detailQuery = z.object({ asOf: z.iso.datetime({ offset: true }).optional() }).strict();
