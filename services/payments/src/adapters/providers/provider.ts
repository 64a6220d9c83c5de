// What payments needs from a card processor / bank / crypto gateway. Requests are asynchronous: the
// provider acknowledges at once and reports the outcome later through a signed webhook, so a slow
// provider never holds a request open. Every request is idempotent by paymentId.

export interface ProviderRequest {
  paymentId: string;
  amount: bigint;
  currency: string;
}

/**
 * What the provider reports about a payment: its outcome, or later a chargeback of a succeeded
 * charge (a dispute opened by the cardholder's bank, then won or lost by the shop).
 */
export interface ProviderEvent {
  paymentId: string;
  outcome: 'succeeded' | 'declined' | 'dispute_opened' | 'dispute_won' | 'dispute_lost';
  reason?: string;
  /** Dispute events: the provider's id of the dispute and the disputed amount (minor units). */
  disputeId?: string;
  amount?: string;
}

export interface PaymentProvider {
  readonly name: string;
  /** Take money from a payment source (a card token) into the platform: a top-up. */
  charge(request: ProviderRequest & { source: string }): Promise<void>;
  /** Send money out to a destination (a card or bank account token): a withdrawal. */
  payout(request: ProviderRequest & { destination: string }): Promise<void>;
  /** Verifies a webhook's signature over the exact bytes received; returns the event or undefined. */
  verifyWebhook(
    rawBody: Buffer,
    headers: Record<string, string | string[] | undefined>,
  ): ProviderEvent | undefined;
}
