// Repairs after an incident, published by the service that owns the data it repaired (through its
// outbox, in the transaction of the repair) on the events exchange, routing key = the type. The back
// office's reports count them; the owner keeps the full record (who, why, before and after) too.
import { z } from 'zod';
import { defineMessage } from './contract.js';

/** A state as the owner describes it: a few named values (amounts as decimal strings). */
const snapshot = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));

export const repairRecorded = defineMessage(
  'repair.recorded',
  1,
  z.object({
    /** Unique per repair; consumers deduplicate on it. */
    repairId: z.string().min(1).max(128),
    kind: z.enum(['ledger_adjustment', 'saga_retry', 'saga_force_cancel', 'stock_correction']),
    /** The owning service. */
    service: z.enum(['payments', 'orders', 'catalog']),
    /** What was repaired: an account, an order, a product. */
    subjectId: z.string().min(1).max(128),
    /** The admin who asked for it, and (four eyes) the one who approved it. */
    actorId: z.string().min(1).max(128),
    approvedBy: z.string().min(1).max(128).optional(),
    reason: z.string().min(1).max(500),
    before: snapshot,
    after: snapshot,
    /**
     * For a repair that moved money (a ledger adjustment): what reached the customer's account, in
     * signed minor units (a debit is negative). The reports count money from this, never from the
     * snapshots.
     */
    money: z
      .object({
        userId: z.string().min(1).max(128),
        amountMinor: z.string().regex(/^-?\d+$/),
        currency: z.string().regex(/^[A-Z]{3}$/),
      })
      .optional(),
    at: z.iso.datetime(),
  }),
);

export type RepairRecorded = z.output<typeof repairRecorded.schema>;
