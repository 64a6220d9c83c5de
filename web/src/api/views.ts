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
