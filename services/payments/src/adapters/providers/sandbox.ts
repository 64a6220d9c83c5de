// The sandbox provider: a card processor for sandbox shops and local runs, behaving like a real one. It
// accepts a request at once, decides its outcome from the payment source, and later POSTs a webhook
// signed with HMAC-SHA256 to the payments service, retrying until it is acknowledged. Its pending
// requests live in its own collection, so a crash of the process delays a webhook but never loses it.
//
// Magic sources (card tokens): "tok_decline" is declined, "tok_timeout" is never answered (a processor
// that timed out), "tok_chargeback_won" / "tok_chargeback_lost" succeed and are then charged back (a
// dispute opened, then won / lost by the shop); any other "tok_*" succeeds. A request's webhooks go
// out one after the other, each once the previous one was acknowledged.
import type { Collection, Db } from 'mongodb';
import { isDuplicateKey } from '../mongo.js';
import type { DocumentRetentionRule } from '../retention.js';
import type { PaymentProvider, ProviderEvent, ProviderRequest } from './provider.js';
import { SIGNATURE_HEADER, sign, verifySignature } from './webhook-signature.js';

interface SandboxRequestDoc {
  _id: string;
  operation: 'charge' | 'payout';
  amount: bigint;
  currency: string;
  outcome: 'succeeded' | 'declined' | 'never';
  /** The webhooks to send, in order, and how many were acknowledged. */
  events?: ProviderEvent[];
  next?: number;
  deliverAt: Date;
  attempts: number;
  delivered: boolean;
  createdAt: Date;
}

export interface SandboxOptions {
  db: Db;
  secret: string;
  /** Where webhooks go, e.g. http://127.0.0.1:8080/api/payments/webhooks/sandbox. */
  webhookUrl: () => string;
  /** How long the "processor" takes before answering. */
  delayMs?: number;
  onError?: (error: unknown) => void;
}

export function outcomeOf(token: string): SandboxRequestDoc['outcome'] {
  if (token === 'tok_decline') return 'declined';
  if (token === 'tok_timeout') return 'never';
  return 'succeeded';
}

/** The webhooks a request will cause, in the order a real processor would send them. */
function eventsFor(operation: 'charge' | 'payout', request: ProviderRequest, token: string): ProviderEvent[] {
  const paymentId = request.paymentId;
  const outcome = outcomeOf(token);
  if (outcome === 'never') return [];
  if (outcome === 'declined') return [{ paymentId, outcome: 'declined', reason: 'card_declined' }];
  const events: ProviderEvent[] = [{ paymentId, outcome: 'succeeded' }];
  const chargeback = /^tok_chargeback_(won|lost)$/.exec(token);
  if (operation === 'charge' && chargeback) {
    const dispute = { paymentId, disputeId: `dp_${paymentId}`, amount: request.amount.toString() };
    events.push(
      { ...dispute, outcome: 'dispute_opened' },
      { ...dispute, outcome: chargeback[1] === 'won' ? 'dispute_won' : 'dispute_lost' },
    );
  }
  return events;
}

export class SandboxProvider implements PaymentProvider {
  readonly name = 'sandbox';
  private readonly requests: Collection<SandboxRequestDoc>;
  private timer: NodeJS.Timeout | undefined;
  private delivering = false;

  constructor(private readonly options: SandboxOptions) {
    this.requests = options.db.collection('sandbox_requests');
  }

  charge(request: ProviderRequest & { source: string }): Promise<void> {
    return this.accept('charge', request, request.source);
  }

  payout(request: ProviderRequest & { destination: string }): Promise<void> {
    return this.accept('payout', request, request.destination);
  }

  verifyWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>) {
    const header = headers[SIGNATURE_HEADER];
    if (!verifySignature(this.options.secret, rawBody, typeof header === 'string' ? header : undefined)) {
      return undefined;
    }
    try {
      return JSON.parse(rawBody.toString('utf8')) as ProviderEvent;
    } catch {
      return undefined;
    }
  }

  /**
   * Requests done with: every webhook acknowledged (or none ever to send), `days` after the last one
   * went out. Nothing reads them again: the payment they answered moved on from `created` long before.
   */
  retentionRule(days: number): DocumentRetentionRule {
    return {
      name: 'sandbox requests',
      collection: this.requests,
      field: 'deliverAt',
      days,
      filter: { $or: [{ delivered: true }, { outcome: 'never' }] },
    };
  }

  /** Starts delivering webhooks in the background. */
  start(intervalMs = 100): void {
    this.timer ??= setInterval(() => void this.deliverDue(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One delivery round; exposed so tests and shutdown can flush. */
  async deliverDue(): Promise<void> {
    if (this.delivering) return;
    this.delivering = true;
    try {
      const due = await this.requests
        .find({ delivered: false, outcome: { $ne: 'never' }, deliverAt: { $lte: new Date() } })
        .limit(50)
        .toArray();
      for (const request of due) await this.deliver(request);
    } catch (error) {
      this.options.onError?.(error);
    } finally {
      this.delivering = false;
    }
  }

  private async accept(
    operation: SandboxRequestDoc['operation'],
    request: ProviderRequest,
    token: string,
  ): Promise<void> {
    const outcome = outcomeOf(token);
    try {
      await this.requests.insertOne({
        _id: request.paymentId,
        operation,
        amount: request.amount,
        currency: request.currency,
        outcome,
        events: eventsFor(operation, request, token),
        next: 0,
        deliverAt: new Date(Date.now() + (this.options.delayMs ?? 50)),
        attempts: 0,
        delivered: false,
        createdAt: new Date(),
      });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error; // the same payment asked twice: already accepted
    }
  }

  private async deliver(request: SandboxRequestDoc): Promise<void> {
    // Requests stored before events were listed carry only their outcome.
    const events = request.events ?? [
      { paymentId: request._id, outcome: request.outcome === 'declined' ? 'declined' : 'succeeded' },
    ];
    const event = events[request.next ?? 0];
    if (!event) return;
    const body = JSON.stringify(event);
    let acknowledged = false;
    try {
      const response = await fetch(this.options.webhookUrl(), {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: sign(this.options.secret, body) },
        body,
        signal: AbortSignal.timeout(5_000),
      });
      acknowledged = response.ok;
    } catch {
      acknowledged = false;
    }
    const attempts = request.attempts + 1;
    // Like real processors: retry with growing pauses until the receiver says 2xx.
    const retryIn = Math.min(100 * 2 ** attempts, 30_000);
    const next = (request.next ?? 0) + 1;
    await this.requests.updateOne(
      { _id: request._id },
      acknowledged
        ? {
            $set: {
              next,
              delivered: next >= events.length,
              attempts: 0,
              deliverAt: new Date(Date.now() + (this.options.delayMs ?? 50)),
            },
          }
        : { $set: { attempts, deliverAt: new Date(Date.now() + retryIn) } },
    );
  }
}
