// /api/payments/transfers: P2P transfers from the signed-in user to another user, same currency.
import type { HttpRoutes } from '@shopstack/kit';
import { z } from 'zod';
import type { PaymentsApp } from '../../app/payments.js';
import { transferView } from '../views.js';
import { amountSchema, currencySchema, idParams, userIdSchema } from './schemas.js';

export function transferRoutes(routes: HttpRoutes, app: PaymentsApp, currencies: readonly string[]): void {
  routes.post(
    '/api/payments/transfers',
    {
      summary: 'Send money to another user; the transfer fee is added to what you pay',
      tags: ['transfers'],
      auth: true,
      idempotencyKey: true,
      body: z
        .object({ toUserId: userIdSchema, currency: currencySchema(currencies), amount: amountSchema })
        .strict(),
      responses: {
        201: { description: 'The transfer, completed or declined (status says which)' },
        400: { description: 'Invalid input' },
        409: { description: 'Idempotency key used for another request' },
      },
    },
    async ({ body, user, idempotencyKey }) => {
      const transfer = await app.transfers.transfer({
        userId: user.id,
        idempotencyKey,
        currency: body.currency,
        toUserId: body.toUserId,
        amount: body.amount,
      });
      return { status: 201, body: transferView(transfer) };
    },
  );

  routes.get(
    '/api/payments/transfers/:id',
    {
      summary: 'A transfer I sent or received',
      tags: ['transfers'],
      auth: true,
      params: idParams,
      responses: { 200: { description: 'The transfer' }, 404: { description: 'Not found' } },
    },
    async ({ params, user }) => ({ body: transferView(await app.transfers.get(user.id, params.id)) }),
  );
}
