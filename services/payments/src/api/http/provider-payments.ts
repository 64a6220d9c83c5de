// Top-ups and withdrawals (through the payment provider) and the provider's signed webhook.
import type { Readable } from 'node:stream';
import { AppError, type HttpRoutes, type Logger } from '@shopstack/kit';
import { z } from 'zod';
import type { PaymentsApp } from '../../app/payments.js';
import { providerPaymentView } from '../views.js';
import { amountSchema, currencySchema, idParams, tokenSchema } from './schemas.js';

const WEBHOOK_LIMIT_BYTES = 16 * 1024;

/** What a verified webhook may say; anything else is refused like a bad signature. */
const webhookEvent = z.object({
  paymentId: z.string().min(1).max(128),
  outcome: z.enum(['succeeded', 'declined', 'dispute_opened', 'dispute_won', 'dispute_lost']),
  reason: z.string().max(200).optional(),
  disputeId: z.string().min(1).max(128).optional(),
  amount: z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/)
    .optional(),
});

export function providerPaymentRoutes(
  routes: HttpRoutes,
  app: PaymentsApp,
  currencies: readonly string[],
  logger: Logger,
): void {
  routes.post(
    '/api/payments/topups',
    {
      summary: 'Top up from a card; completes when the provider confirms (poll GET /topups/:id)',
      tags: ['provider'],
      auth: true,
      idempotencyKey: true,
      body: z
        .object({ currency: currencySchema(currencies), amount: amountSchema, source: tokenSchema })
        .strict(),
      responses: {
        202: { description: 'Accepted, waiting for the provider' },
        400: { description: 'Invalid input' },
      },
    },
    async ({ body, user, idempotencyKey }) => {
      const payment = await app.providerPayments.topUp({
        userId: user.id,
        idempotencyKey,
        currency: body.currency,
        amount: body.amount,
        token: body.source,
      });
      return { status: 202, body: providerPaymentView(payment) };
    },
  );

  routes.post(
    '/api/payments/withdrawals',
    {
      summary: 'Withdraw to a card; the amount plus fee is held until the provider confirms',
      tags: ['provider'],
      auth: true,
      idempotencyKey: true,
      body: z
        .object({ currency: currencySchema(currencies), amount: amountSchema, destination: tokenSchema })
        .strict(),
      responses: {
        202: { description: 'Accepted (or declined: see status)' },
        400: { description: 'Invalid input' },
      },
    },
    async ({ body, user, idempotencyKey }) => {
      const payment = await app.providerPayments.withdraw({
        userId: user.id,
        idempotencyKey,
        currency: body.currency,
        amount: body.amount,
        token: body.destination,
      });
      return { status: 202, body: providerPaymentView(payment) };
    },
  );

  for (const kind of ['topups', 'withdrawals'] as const) {
    routes.get(
      `/api/payments/${kind}/:id`,
      {
        summary: `One of my ${kind}`,
        tags: ['provider'],
        auth: true,
        params: idParams,
        responses: { 200: { description: 'Status' }, 404: { description: 'Not found' } },
      },
      async ({ params, user }) => {
        const payment = await app.providerPayments.get(user.id, params.id);
        if (payment.kind !== (kind === 'topups' ? 'topup' : 'withdrawal')) {
          throw new AppError('not_found', 'payment-not-found', 'payment not found');
        }
        return { body: providerPaymentView(payment) };
      },
    );
  }

  const { provider } = app;
  if (!provider) return; // no provider, no callbacks to receive
  routes.post(
    `/api/payments/webhooks/${provider.name}`,
    {
      summary: 'Provider callbacks, authenticated by their HMAC-SHA256 signature (not by a user token)',
      tags: ['provider'],
      responses: { 204: { description: 'Acknowledged' }, 401: { description: 'Bad or missing signature' } },
    },
    async ({ ctx }) => {
      const raw = await readRaw(ctx.req, WEBHOOK_LIMIT_BYTES);
      const event = webhookEvent.safeParse(provider.verifyWebhook(raw, ctx.headers));
      if (!event.success) {
        logger.warn({ provider: provider.name }, 'webhook refused: bad signature or payload');
        throw new AppError(
          'unauthenticated',
          'invalid-signature',
          'the webhook signature is missing or invalid',
        );
      }
      await app.providerPayments.onProviderEvent(event.data);
      return { status: 204 };
    },
  );
}

async function readRaw(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new AppError('too_large', 'body-too-large', `the body exceeds ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
