// Repairs after an incident (app/repairs.ts), admin only, each under the client's Idempotency-Key:
// ledger adjustments with four eyes, saga retry / force-cancel, stock corrections.
import type { HttpRoutes } from '@shopstack/kit';
import { z } from 'zod';
import type { BackofficeDeps } from '../../app/deps.js';
import {
  approveAdjustment,
  correctStock,
  getAdjustment,
  listAdjustments,
  repairSaga,
  requestAdjustment,
  type SagaRepairKind,
} from '../../app/repairs.js';
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
    async ({ body, user, idempotencyKey }) => ({
      status: 201,
      body: await requestAdjustment(deps, {
        idempotencyKey,
        requestedBy: user!.id,
        userId: body.userId,
        currency: body.currency,
        amountMinor: body.amount,
        reason: body.reason,
      }),
    }),
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
    async ({ params, user }) => ({ body: await approveAdjustment(deps, params.id, user!.id) }),
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
    async ({ params }) => ({ body: await getAdjustment(deps, params.id) }),
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
    async ({ query }) => ({ body: { items: await listAdjustments(deps, query.userId) } }),
  );

  const sagaRepairs: Record<SagaRepairKind, string> = {
    retry: "Retry a stuck checkout saga's current step now",
    'force-cancel':
      'Force-cancel a stuck checkout with compensation (stock released, hold voided, a paid order refunded); refused past the pivot',
  };
  for (const [path, summary] of Object.entries(sagaRepairs) as [SagaRepairKind, string][]) {
    routes.post(
      `/api/backoffice/repairs/orders/:orderId/${path}`,
      {
        summary,
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
      async ({ params, body, user, idempotencyKey }) => ({
        body: await repairSaga(deps, path, {
          idempotencyKey,
          orderId: params.orderId,
          actorId: user!.id,
          reason: body.reason,
        }),
      }),
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
    async ({ params, body, user, idempotencyKey }) => ({
      body: await correctStock(deps, {
        idempotencyKey,
        productId: params.productId,
        onHand: body.onHand,
        actorId: user!.id,
        reason: body.reason,
      }),
    }),
  );
}
