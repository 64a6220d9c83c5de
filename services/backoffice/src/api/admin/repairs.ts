// Repairs after an incident, admin only, each under the client's Idempotency-Key and carried out by
// the owner of the data, which records who, why, before and after and publishes it:
// - a ledger adjustment (payments): requested by one admin, posted only when a second, different
//   admin approves it (four eyes), against the house adjustments account;
// - retry or force-cancel (with compensation) of a stuck checkout saga (orders);
// - a stock correction (catalog).
import type { HttpRoutes } from '@shopstack/kit';
import { z } from 'zod';
import { ask } from '../../adapters/owners.js';
import type { BackofficeDeps } from '../../app/deps.js';
import { adjustmentView } from '../../app/views.js';
import { BACKOFFICE_READERS, BACKOFFICE_WRITERS } from '../../domain/roles.js';
import { ReasonBody } from './schemas.js';

/** Signed minor units, as a JSON integer or a decimal string; never zero, at most 10^15 either way. */
const SignedAmount = z
  .union([z.number().int().safe(), z.string().regex(/^-?\d{1,16}$/, 'an integer of minor units')])
  .transform((value) => BigInt(value))
  .refine((amount) => amount !== 0n, 'not zero: > 0 credits the customer, < 0 debits them')
  .refine((amount) => amount <= 10n ** 15n && amount >= -(10n ** 15n), 'at most 10^15 minor units')
  .transform((amount) => amount.toString());

const AdjustmentBody = ReasonBody.extend({
  userId: z.uuid(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR'),
  amount: SignedAmount,
});
const AdjustmentParams = z.object({ id: z.string().regex(/^adj_[0-9a-f]{32}$/, 'an adjustment id') });
const AdjustmentSchema = z.object({ id: z.string(), status: z.string(), amountMinor: z.string() }).loose();
const OrderParams = z.object({ orderId: z.uuid() });
const ProductParams = z.object({ productId: z.uuid() });
const RepairSchema = z.object({ repairId: z.string(), kind: z.string() }).loose();

export function addRepairRoutes(routes: HttpRoutes, deps: BackofficeDeps): void {
  const payments = () => deps.owners.client('payments');
  const orders = () => deps.owners.client('orders');

  routes.post(
    '/api/backoffice/repairs/ledger-adjustments',
    {
      summary:
        'Request a ledger adjustment (credit or debit with a reason); it posts once a second admin approves',
      tags: ['repairs'],
      auth: BACKOFFICE_WRITERS,
      body: AdjustmentBody,
      idempotencyKey: true,
      responses: {
        201: { description: 'Requested, awaiting approval; nothing has moved', schema: AdjustmentSchema },
        400: { description: 'Bad input, or the customer has no account in that currency' },
        409: { description: 'The Idempotency-Key was used for another request' },
      },
    },
    async ({ body, user, idempotencyKey }) => {
      const { adjustment } = await ask(
        'payments',
        payments().requestAdjustment({
          idempotencyKey,
          requestedBy: user!.id,
          userId: body.userId,
          currency: body.currency,
          amountMinor: body.amount,
          reason: body.reason,
        }),
        { ALREADY_EXISTS: 'idempotency-key-reused', INVALID_ARGUMENT: 'adjustment-refused' },
      );
      return { status: 201, body: adjustmentView(adjustment!) };
    },
  );

  routes.post(
    '/api/backoffice/repairs/ledger-adjustments/:id/approve',
    {
      summary: 'Approve an adjustment (a different admin than the requester); it posts at once, once',
      tags: ['repairs'],
      auth: BACKOFFICE_WRITERS,
      params: AdjustmentParams,
      responses: {
        200: {
          description: 'Posted (or declined: a debit beyond the available funds)',
          schema: AdjustmentSchema,
        },
        403: { description: 'The requester cannot approve their own adjustment (four eyes)' },
        404: { description: 'No such adjustment' },
        409: { description: 'Already approved' },
      },
    },
    async ({ params, user }) => {
      const { adjustment } = await ask(
        'payments',
        payments().approveAdjustment({ adjustmentId: params.id, approvedBy: user!.id }),
        {
          PERMISSION_DENIED: 'four-eyes',
          ALREADY_EXISTS: 'adjustment-already-approved',
          NOT_FOUND: 'adjustment-not-found',
        },
      );
      return { body: adjustmentView(adjustment!) };
    },
  );

  routes.get(
    '/api/backoffice/repairs/ledger-adjustments/:id',
    {
      summary: 'One adjustment: who asked, who approved, why, the balance before and after',
      tags: ['repairs'],
      auth: BACKOFFICE_READERS,
      params: AdjustmentParams,
      responses: {
        200: { description: 'The adjustment', schema: AdjustmentSchema },
        404: { description: 'No such adjustment' },
      },
    },
    async ({ params }) => {
      const { adjustment } = await ask('payments', payments().getAdjustment({ adjustmentId: params.id }), {
        NOT_FOUND: 'adjustment-not-found',
      });
      return { body: adjustmentView(adjustment!) };
    },
  );

  routes.get(
    '/api/backoffice/repairs/ledger-adjustments',
    {
      summary: 'Adjustments, newest first (of one customer with ?userId=)',
      tags: ['repairs'],
      auth: BACKOFFICE_READERS,
      query: z.object({ userId: z.uuid().optional() }),
      responses: {
        200: { description: 'Up to 100 adjustments', schema: z.object({ items: z.array(AdjustmentSchema) }) },
      },
    },
    async ({ query }) => {
      const { adjustments } = await ask(
        'payments',
        payments().listAdjustments({ userId: query.userId ?? '' }),
      );
      return { body: { items: adjustments.map(adjustmentView) } };
    },
  );

  const sagaRepairs = {
    retry: {
      summary: "Retry a stuck checkout saga's current step now",
      run: (request: SagaRepair) => orders().retrySaga(request),
    },
    'force-cancel': {
      summary:
        'Force-cancel a stuck checkout with compensation (stock released, hold voided, a paid order refunded)',
      run: (request: SagaRepair) => orders().forceCancelSaga(request),
    },
  } as const;
  for (const [path, repair] of Object.entries(sagaRepairs)) {
    routes.post(
      `/api/backoffice/repairs/orders/:orderId/${path}`,
      {
        summary: repair.summary,
        tags: ['repairs'],
        auth: BACKOFFICE_WRITERS,
        params: OrderParams,
        body: ReasonBody,
        idempotencyKey: true,
        responses: {
          200: { description: 'The repair: the order and saga before and after', schema: RepairSchema },
          404: { description: 'No such order' },
          409: {
            description: "The saga's state does not allow it (the reason says why), or the key was reused",
          },
        },
      },
      async ({ params, body, user, idempotencyKey }) => {
        const { repair: done } = await ask(
          'orders',
          repair.run({ idempotencyKey, orderId: params.orderId, actorId: user!.id, reason: body.reason }),
          { ALREADY_EXISTS: 'saga-repair-refused', NOT_FOUND: 'order-not-found' },
        );
        return { body: done };
      },
    );
  }

  routes.post(
    '/api/backoffice/repairs/products/:productId/stock',
    {
      summary: 'Correct the counted units of a product (they must cover the units reserved for orders)',
      tags: ['repairs'],
      auth: BACKOFFICE_WRITERS,
      params: ProductParams,
      body: ReasonBody.extend({ onHand: z.number().int().min(0).max(1_000_000_000) }),
      idempotencyKey: true,
      responses: {
        200: {
          description: 'The correction: on hand before and after',
          schema: z
            .object({ correctionId: z.string(), onHandBefore: z.number(), onHandAfter: z.number() })
            .loose(),
        },
        404: { description: 'No such product' },
        409: { description: 'Below the reserved units, or the key was reused' },
      },
    },
    async ({ params, body, user, idempotencyKey }) => {
      const { correction } = await ask(
        'catalog',
        deps.owners.client('catalog').correctStock({
          idempotencyKey,
          productId: params.productId,
          onHand: body.onHand,
          actorId: user!.id,
          reason: body.reason,
        }),
        { ALREADY_EXISTS: 'stock-correction-refused', NOT_FOUND: 'product-not-found' },
      );
      return { body: correction };
    },
  );
}

interface SagaRepair {
  idempotencyKey: string;
  orderId: string;
  actorId: string;
  reason: string;
}
