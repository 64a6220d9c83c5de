// The stores of each kind of operation document. The generic store (operations.ts) covers creating
// once, reading by id, moving a status forward and finding what a crash left behind; the few queries
// one kind needs beyond that live here, so no use case writes a MongoDB filter of its own.
import type {
  AdjustmentApprovalDoc,
  AdjustmentDoc,
  DisputeDoc,
  HoldDoc,
  MovementDoc,
  ProviderPaymentDoc,
  RefundDoc,
  RefundLogDoc,
} from './documents.js';
import { isDuplicateKey, type PaymentsDb } from './mongo.js';
import { findInStatuses, OperationStore } from './operations.js';
import { type AppendResult, appendOnce, headBySort } from './sequenced-append.js';

export class HoldStore extends OperationStore<HoldDoc> {
  /** Up to `limit` holds in one of `statuses` whose time ran out by `now`. */
  due(statuses: readonly HoldDoc['status'][], now: Date, limit: number): Promise<HoldDoc[]> {
    return findInStatuses(this.collection, statuses, { expiresAt: { $lte: now } }, limit);
  }
}

export class MovementStore extends OperationStore<MovementDoc> {
  getOfKind(id: string, kind: MovementDoc['kind']): Promise<MovementDoc | null> {
    return this.collection.findOne({ _id: id, kind });
  }
}

export class DisputeStore extends OperationStore<DisputeDoc> {
  forPayment(paymentId: string): Promise<DisputeDoc[]> {
    return this.collection.find({ paymentId }).toArray();
  }

  /** Moves an opening dispute on to its next try of the opening movement. */
  async setAttempt(id: string, attempt: number): Promise<void> {
    await this.collection.updateOne({ _id: id, status: 'opening' }, { $set: { attempt } });
  }
}

export class AdjustmentStore extends OperationStore<AdjustmentDoc> {
  constructor(
    collection: PaymentsDb['adjustments'],
    private readonly approvals: PaymentsDb['adjustmentApprovals'],
  ) {
    super(collection);
  }

  /** Newest first, of one user or of everyone. */
  list(userId: string | undefined, limit: number): Promise<AdjustmentDoc[]> {
    return this.collection
      .find(userId ? { userId } : {})
      .sort({ createdAt: -1 })
      .limit(limit)
      .toArray();
  }

  /** Stores the approval once: false when another approval of this adjustment was stored first. */
  async recordApproval(adjustmentId: string, approvedBy: string): Promise<boolean> {
    try {
      await this.approvals.insertOne({ _id: adjustmentId, approvedBy, at: new Date() });
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  approvalOf(adjustmentId: string): Promise<AdjustmentApprovalDoc | null> {
    return this.approvals.findOne({ _id: adjustmentId });
  }
}

/** The per-hold refund log (a sequenced log, see sequenced-append.ts). */
export class RefundLog {
  constructor(private readonly log: PaymentsDb['refundLog']) {}

  append(
    holdId: string,
    opKey: string,
    build: (head: RefundLogDoc | null) => RefundLogDoc,
  ): Promise<AppendResult<RefundLogDoc>> {
    return appendOnce({ log: this.log, opKey, readHead: this.head(holdId), build });
  }

  /** The sum of completed refund reservations of a hold. */
  async refunded(holdId: string): Promise<bigint> {
    return (await this.head(holdId)())?.refunded ?? 0n;
  }

  private head(holdId: string) {
    return headBySort(this.log, { holdId });
  }
}

export interface OperationStores {
  holds: HoldStore;
  movements: MovementStore;
  refunds: OperationStore<RefundDoc>;
  refundLog: RefundLog;
  providerPayments: OperationStore<ProviderPaymentDoc>;
  disputes: DisputeStore;
  adjustments: AdjustmentStore;
}

export function operationStores(db: PaymentsDb): OperationStores {
  return {
    holds: new HoldStore(db.holds),
    movements: new MovementStore(db.movements),
    refunds: new OperationStore(db.refunds),
    refundLog: new RefundLog(db.refundLog),
    providerPayments: new OperationStore(db.providerPayments),
    disputes: new DisputeStore(db.disputes),
    adjustments: new AdjustmentStore(db.adjustments, db.adjustmentApprovals),
  };
}
