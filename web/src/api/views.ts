// Replies of orders and payments as those services build them (services/orders/src/app/views.ts,
// app/cart.ts; services/payments/src/api/views.ts). Their OpenAPI documents describe these replies
// without a schema yet, so the generated types say `unknown` for them; these are read through
// `as` at the one call site each. When the documents gain response schemas, drop this file.
export type OrderStatus = 'pending' | 'confirmed' | 'cancelled' | 'refunded' | 'payment_failed';

export interface OrderView {
  orderId: string;
  userId: string;
  status: OrderStatus;
  lines: { productId: string; quantity: number; unitPriceMinor: string; currency: string }[];
  totalMinor: string;
  currency: string;
  placedAt: string;
  updatedAt: string;
  confirmedAt: string | null;
  cancelReason: string | null;
  paymentFailure: string | null;
  refundedMinor: string;
  progress: {
    stockReserved: boolean;
    paymentHeld: boolean;
    paymentCaptured: boolean;
    stockCommitted: boolean;
  };
}

export interface OrdersPage {
  items: OrderView[];
  nextCursor?: string | null;
}

export interface CartView {
  lines: {
    productId: string;
    name: string;
    quantity: number;
    unitPriceMinor: string;
    lineTotalMinor: string;
    currency: string;
    purchasable: boolean;
  }[];
  totals: { currency: string; totalMinor: string }[];
  unavailable: string[];
}

export interface AccountView {
  id: string;
  currency: string;
  balance: string;
  held: string;
  available: string;
}

export interface StatementEntry {
  seq: number;
  kind: string;
  outcome: string;
  reason?: string;
  amount: string;
  balance: string;
  reference: string;
  at: string;
}

export interface ProviderPaymentView {
  id: string;
  kind: string;
  status: string;
  failureReason?: string;
  currency: string;
  amount: string;
  fee: string;
}

export interface TransferView {
  id: string;
  status: string;
  failureReason?: string;
  currency: string;
  amount: string;
  fee: string;
}

// The back office's replies whose OpenAPI schemas are open objects (services/backoffice/src/app/
// views.ts and customer-view.ts build them): read through `as` where they are fetched.

export interface AdjustmentView {
  id: string;
  userId: string;
  accountId: string;
  currency: string;
  amountMinor: string;
  reason: string;
  status: 'awaiting_approval' | 'posted' | 'declined' | string;
  requestedBy: string;
  requestedAt: string;
  approvedBy: string | null;
  approvedAt: string | null;
  balanceBeforeMinor: string | null;
  balanceAfterMinor: string | null;
  failureReason: string | null;
}

export interface CustomerView {
  profile: {
    id: string;
    email: string;
    phone: string | null;
    role: string;
    emailVerified: boolean;
    blocked: boolean;
    deleted: boolean;
    createdAt: string;
  };
  sessions:
    | {
        id: string;
        createdAt: string;
        lastRefreshedAt: string | null;
        revokedAt: string | null;
        revokedReason: string | null;
        active: boolean;
      }[]
    | null;
  orders:
    | {
        orderId: string;
        status: string;
        totalMinor: string;
        currency: string;
        placedAt: string;
        cancelReason: string | null;
        refundedMinor: string;
        saga: { step: string; attempts: number; lastError: string | null; deadlineAt: string | null } | null;
      }[]
    | null;
  accounts:
    | {
        id: string;
        currency: string;
        balanceMinor: string;
        heldMinor: string;
        availableMinor: string;
        statement: {
          seq: number;
          kind: string;
          outcome: string;
          amountMinor: string;
          balanceMinor: string;
          reference: string;
          at: string;
        }[];
      }[]
    | null;
  adjustments: AdjustmentView[] | null;
  deliveries:
    | {
        id: string;
        channel: string;
        template: string;
        status: string;
        attempts: number;
        lastError: string | null;
        createdAt: string;
        sentAt: string | null;
      }[]
    | null;
  auditTrail:
    | { id: string; at: string; event: string; actorId: string | null; ip: string | null; details: unknown }[]
    | null;
  /** The services that did not answer; their parts are null. */
  unavailable: string[];
}

export interface ReconciliationView {
  accounts: number;
  /** Per currency, minor units: 0 when every balance equals its journal. */
  difference: Record<string, string>;
  /** Per currency, minor units: the sum of all balances, 0 when nothing is in flight. */
  imbalance: Record<string, string>;
  problems: number;
  details: { accountId: string; problem: string }[];
}
