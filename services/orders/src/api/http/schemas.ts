// Input schemas of the orders HTTP API.
import { z } from 'zod';
import { MAX_QUANTITY } from '../../domain/order.js';

export const productParams = z.object({ productId: z.uuid('a product id (UUID)') });
export const orderParams = z.object({ orderId: z.uuid('an order id (UUID)') });
export const quantitySchema = z.number().int('a whole number').min(1).max(MAX_QUANTITY);

export const addLineBody = z
  .object({ productId: z.uuid('a product id (UUID)'), quantity: quantitySchema })
  .strict();
export const changeLineBody = z.object({ quantity: quantitySchema }).strict();

const cursorSchema = z
  .string()
  .max(200)
  .transform((value, ctx) => {
    try {
      const parsed = z
        .object({ placedAt: z.iso.datetime(), orderId: z.uuid() })
        .parse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')));
      return parsed;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'a cursor returned by a previous page' });
      return z.NEVER;
    }
  });

export const listQuery = z
  .object({ limit: z.coerce.number().int().min(1).max(100).default(20), cursor: cursorSchema.optional() })
  .strict();

export const attentionQuery = z
  .object({ limit: z.coerce.number().int().min(1).max(500).default(100) })
  .strict();

export const detailQuery = z.object({ asOf: z.iso.datetime({ offset: true }).optional() }).strict();
