// Holds: authorize (reserve funds), then close exactly once by capture (full or part), void or expiry.
// Every step is a journal append under a per-hold key, so retries, replays and the recovery job all
// converge on the same outcome; the hold document only caches progress (see README "Holds").
import type { Accounts } from '../adapters/accounts.js';
import type { HoldDoc, JournalDoc } from '../adapters/documents.js';
import type { Journal } from '../adapters/journal.js';
import type { HoldStore } from '../adapters/operation-stores.js';
import { cashbackFor, type FeeRule } from '../domain/fees.js';
import { CLOSED_BY, type CloseKind, closeEffect, isExpired, resolveCapture } from '../domain/holds.js';
import { customerAccountId, fingerprint, operationId } from '../domain/ids.js';
import { idempotencyConflict, invalid, notFound } from './errors.js';
import type { PaymentEvents } from './events.js';
import { RecentHolds } from './recent-holds.js';

export interface AuthorizeCommand {
  idempotencyKey: string;
  orderId: string;
  userId: string;
  amount: bigint;
  currency: string;
  ttlSeconds?: number;
  purpose?: HoldDoc['purpose'];
  /** Where captured money goes; defaults to the currency's sales account. */
  settleTo?: HoldDoc['settleTo'];
}

/** HOLD_EXPIRED: a capture came after the hold's time was up; it never will succeed, do not retry. */
export type HoldFailure = 'INSUFFICIENT_FUNDS' | 'NO_ACCOUNT' | 'HOLD_CLOSED' | 'HOLD_EXPIRED';

export interface HoldResult {
  hold: HoldDoc;
  /** Why this call did not take effect (the hold itself may be fine, e.g. already voided). */
  failure?: HoldFailure;
}

const OPEN: HoldDoc['status'][] = ['pending', 'authorized', 'closing'];
const closeKey = (holdId: string) => `hold:${holdId}:close`;
const reserveKey = (holdId: string) => `hold:${holdId}:reserve`;

export class Holds {
  private readonly recent = new RecentHolds();

  constructor(
    private readonly holds: HoldStore,
    private readonly accounts: Accounts,
    private readonly journal: Journal,
    private readonly defaultTtlSeconds: number,
    /** Paid to the customer on every captured order payment (the fee schedule's cashback rule). */
    private readonly cashback: FeeRule,
    private readonly events: Pick<PaymentEvents, 'holdPlaced' | 'holdClosed'>,
    /** The recovery job's grace period: it leaves holds younger than this to their requests. */
    private readonly recoveryGraceMs = 10_000,
  ) {}

  async authorize(command: AuthorizeCommand): Promise<HoldResult> {
    const { userId, currency, amount } = command;
    const account = await this.accounts.findCustomer(userId, currency);
    const id = operationId('hold', userId, command.idempotencyKey);
    const settleTo = command.settleTo ?? [
      { accountId: (await this.accounts.system('sales', currency, id))._id },
    ];
    const now = new Date();
    const ttl = command.ttlSeconds || this.defaultTtlSeconds;
    const created = await this.holds.create({
      _id: id,
      purpose: command.purpose ?? 'order',
      orderId: command.orderId,
      userId,
      accountId: customerAccountId(userId, currency),
      currency,
      amount,
      captured: 0n,
      status: account ? 'pending' : 'declined',
      ...(account ? {} : { failureReason: 'NO_ACCOUNT' }),
      settleTo,
      fingerprint: fingerprint({ orderId: command.orderId, currency, amount, purpose: command.purpose }),
      expiresAt: new Date(now.getTime() + ttl * 1000),
      createdAt: now,
      updatedAt: now,
    });
    if (created.kind === 'conflict') throw idempotencyConflict();
    // The document is left 'pending' after the reserve (one write less); the capture's final status
    // replaces it, and recovery stores 'authorized' for a hold still open after its grace period.
    const hold = await this.ensureAuthorized(created.doc, false);
    this.recent.remember(hold, created.doc.status);
    return withFailure(hold, hold.status === 'declined' ? (hold.failureReason as HoldFailure) : undefined);
  }

  async get(holdId: string): Promise<HoldDoc> {
    const hold = await this.holds.get(holdId);
    if (!hold) throw notFound('hold');
    return hold;
  }

  /** The hold as a reader should see it: a document still 'pending' is told apart by its journal. */
  async view(holdId: string): Promise<HoldDoc> {
    const hold = await this.get(holdId);
    if (hold.status !== 'pending') return hold;
    const [reserve, close] = await Promise.all([
      this.journal.get(reserveKey(hold._id)),
      this.journal.get(closeKey(hold._id)),
    ]);
    if (!reserve) return hold;
    if (reserve.outcome === 'declined')
      return { ...hold, status: 'declined', failureReason: reserve.reason ?? 'INSUFFICIENT_FUNDS' };
    return { ...hold, status: close ? 'closing' : 'authorized' };
  }

  async capture(holdId: string, requested: bigint | undefined, now = new Date()): Promise<HoldResult> {
    const hold = await this.open(holdId);
    const amount = resolveCapture(hold.amount, requested);
    if (!amount.ok) throw invalid('amount', amount.problem);
    // The expiry job may not have run yet: a hold past its time is released here, never captured.
    if (hold.status === 'expired' || (hold.status === 'authorized' && isExpired(hold.expiresAt, now))) {
      const expired = await this.close(hold, 'expire', 0n);
      if (expired.hold.status === 'expired') return { hold: expired.hold, failure: 'HOLD_EXPIRED' };
      // Closed otherwise before its time ran out (this very capture, retried): answer as a capture.
    }
    return this.close(hold, 'capture', amount.amount);
  }

  async void(holdId: string): Promise<HoldResult> {
    return this.close(await this.open(holdId), 'void', 0n);
  }

  /** The hold to close: as this process authorized it, else read back (and its reserve ensured). */
  private async open(holdId: string): Promise<HoldDoc> {
    return this.recent.get(holdId)?.hold ?? (await this.ensureAuthorized(await this.get(holdId)));
  }

  /** Releases every open hold whose time is up. Returns how many were expired by this run. */
  async expireDue(now: Date, limit = 200): Promise<number> {
    const due = await this.holds.due(OPEN, now, limit);
    let expired = 0;
    for (const hold of due) {
      const result = await this.close(await this.ensureAuthorized(hold), 'expire', 0n);
      if (!result.failure && result.hold.status === 'expired') expired++;
    }
    return expired;
  }

  /** Completes holds a crash left half-way (older than `before`, so live requests are left alone). */
  async recover(before: Date, limit = 200): Promise<number> {
    const stuck = await this.holds.stuck(['pending', 'closing'], before, limit);
    for (const hold of stuck) {
      // A pending hold is stored 'authorized' first, then its close looked for: a hold closed while
      // its document still said 'pending' (see close) has no 'closing' flag, only this look.
      const authorized = await this.ensureAuthorized(hold);
      if (authorized.status === 'declined') continue;
      const entry = await this.journal.get(closeKey(hold._id));
      if (entry) await this.finishClose(authorized, entry);
      // No close entry: the close was never acknowledged, so the hold is simply still authorized.
      else if (authorized.status === 'closing')
        await this.holds.advance(hold._id, ['closing'], { status: 'authorized' });
    }
    return stuck.length;
  }

  /**
   * The reserve step, appended once; any later step starts by calling this, so it always comes first.
   * `store`: also store the status 'authorized' (authorize leaves the document 'pending').
   */
  async ensureAuthorized(hold: HoldDoc, store = true): Promise<HoldDoc> {
    if (hold.status !== 'pending') return hold;
    const { entry } = await this.journal.append({
      opKey: reserveKey(hold._id),
      accountId: hold.accountId,
      kind: 'hold_reserve',
      effect: { balanceDelta: 0n, heldDelta: hold.amount },
      ref: hold._id,
    });
    if (entry.outcome === 'declined') {
      const failureReason = entry.reason ?? 'INSUFFICIENT_FUNDS';
      await this.holds.advance(hold._id, ['pending'], { status: 'declined', failureReason });
      return { ...hold, status: 'declined', failureReason };
    }
    // Before the status: a crash here leaves the hold pending, and the next step stores it again.
    await this.events.holdPlaced(hold, entry);
    if (store) await this.holds.advance(hold._id, ['pending'], { status: 'authorized' });
    return { ...hold, status: 'authorized' };
  }

  /** Decided when the capture entry is written and kept in it, so a changed rule never changes a capture. */
  private async cashbackOf(hold: HoldDoc, captured: bigint) {
    const amount = hold.purpose === 'order' ? cashbackFor(this.cashback, captured) : 0n;
    if (amount === 0n) return {};
    const from = await this.accounts.system('cashback', hold.currency, hold._id);
    return { cashback: { fromAccountId: from._id, amount } };
  }

  private async close(hold: HoldDoc, kind: CloseKind, amount: bigint): Promise<HoldResult> {
    if (hold.status === 'declined') return withFailure(hold, 'HOLD_CLOSED');
    // The close entry is appended only after the hold went 'closing', so an authorized hold has none
    // to look for (and if a crash's recovery left one, the append below returns it: appends are once).
    let entry = hold.status === 'authorized' ? null : await this.journal.get(closeKey(hold._id));
    if (!entry) {
      const settle = kind === 'capture' ? settleLegs(hold, amount) : [];
      if (settle === null) throw invalid('amount', 'this hold can only be captured in full');
      const capture =
        kind === 'capture' ? { amount, settle, ...(await this.cashbackOf(hold, amount)) } : undefined;
      if (this.needsClosingFlag(hold))
        await this.holds.advance(hold._id, ['pending', 'authorized'], { status: 'closing' });
      ({ entry } = await this.journal.append({
        opKey: closeKey(hold._id),
        accountId: hold.accountId,
        kind: `hold_${kind}`,
        effect: closeEffect(kind, hold.amount, amount),
        ref: hold._id,
        ...(capture ? { capture } : {}),
      }));
    }
    const closed = await this.finishClose(hold, entry);
    return withFailure(closed, sameClose(entry, kind, amount) ? undefined : 'HOLD_CLOSED');
  }

  /**
   * 'closing' tells the recovery job to look for the close entry of a hold it would otherwise leave
   * alone (an authorized one). A hold this process authorized whose document still says 'pending'
   * needs no flag: recovery looks for the close of every pending hold anyway. Recovery stores
   * 'authorized' before it looks, and only for holds untouched for its grace period, so the flag is
   * skipped only for a hold younger than half of that: recovery cannot be between its store and its
   * look while this close is appended. (Were it, through a stall of half the grace period and a crash
   * before the final status, the close would wait for the hold's expiry or the caller's retry, both of
   * which finish it from the entry.)
   */
  private needsClosingFlag(hold: HoldDoc): boolean {
    const recent = this.recent.get(hold._id);
    if (recent?.stored !== 'pending') return true;
    return Date.now() - recent.hold.updatedAt.getTime() >= this.recoveryGraceMs / 2;
  }

  private async finishClose(hold: HoldDoc, entry: JournalDoc): Promise<HoldDoc> {
    const kind = entry.kind.replace('hold_', '') as CloseKind;
    const captured = entry.capture?.amount ?? 0n;
    for (const [index, leg] of (entry.capture?.settle ?? []).entries()) {
      await this.journal.append({
        opKey: `hold:${hold._id}:settle:${index}`,
        accountId: leg.accountId,
        kind: 'credit',
        effect: { balanceDelta: leg.amount, heldDelta: 0n },
        ref: hold._id,
      });
    }
    // The customer's cashback, from the cashback account (an overdraft account: it cannot decline).
    const cashback = entry.capture?.cashback;
    if (cashback) {
      await this.journal.append({
        opKey: `hold:${hold._id}:cashback:debit`,
        accountId: cashback.fromAccountId,
        kind: 'debit',
        effect: { balanceDelta: -cashback.amount, heldDelta: 0n },
        ref: hold._id,
      });
      await this.journal.append({
        opKey: `hold:${hold._id}:cashback:credit`,
        accountId: hold.accountId,
        kind: 'credit',
        effect: { balanceDelta: cashback.amount, heldDelta: 0n },
        ref: hold._id,
      });
    }
    const status = CLOSED_BY[kind] as 'captured' | 'voided' | 'expired';
    // Before the status: a crash here leaves the hold closing, and recovery stores the events again.
    await this.events.holdClosed(hold, entry, status);
    await this.holds.advance(hold._id, OPEN, { status, captured });
    this.recent.forget(hold._id);
    return { ...hold, status, captured };
  }
}

/** Where captured money goes. null when a fixed split (a withdrawal) is captured for another amount. */
function settleLegs(hold: HoldDoc, amount: bigint): { accountId: string; amount: bigint }[] | null {
  const fixed = hold.settleTo.every((leg) => leg.amount !== undefined);
  if (fixed) {
    return amount === hold.amount
      ? hold.settleTo.map((leg) => ({ accountId: leg.accountId, amount: leg.amount! }))
      : null;
  }
  return [{ accountId: hold.settleTo[0]!.accountId, amount }];
}

function sameClose(entry: JournalDoc, kind: CloseKind, amount: bigint): boolean {
  if (kind === 'void') return entry.kind === 'hold_void' || entry.kind === 'hold_expire';
  if (kind === 'expire') return entry.kind === 'hold_expire';
  return entry.kind === 'hold_capture' && entry.capture?.amount === amount;
}

function withFailure(hold: HoldDoc, failure: HoldFailure | undefined): HoldResult {
  return failure ? { hold, failure } : { hold };
}
