// The append-only journal of every account. Balances are never stored anywhere else: an account's
// balance is the running balance of its latest entry (see sequenced-append.ts for the race guard).

import { allowsOverdraft } from '../domain/ids.js';
import { type AccountState, decide, type Effect, EMPTY_ACCOUNT } from '../domain/ledger.js';
import type { EntryKind, JournalDoc } from './documents.js';
import type { PaymentsDb } from './mongo.js';
import { type AppendResult, appendOnce } from './sequenced-append.js';

export interface AppendRequest {
  opKey: string;
  accountId: string;
  kind: EntryKind;
  effect: Effect;
  ref: string;
  capture?: JournalDoc['capture'];
}

export class Journal {
  constructor(private readonly db: PaymentsDb) {}

  append(request: AppendRequest): Promise<AppendResult<JournalDoc>> {
    const overdraft = allowsOverdraft(request.accountId);
    return appendOnce(this.db.journal, 'accountId', request.accountId, request.opKey, (head) => {
      const decision = decide(head ? stateOf(head) : EMPTY_ACCOUNT, request.effect, overdraft);
      const applied = decision.outcome === 'applied';
      const entry: JournalDoc = {
        _id: request.opKey,
        accountId: request.accountId,
        seq: decision.next.seq,
        kind: request.kind,
        outcome: decision.outcome,
        balanceDelta: applied ? request.effect.balanceDelta : 0n,
        heldDelta: applied ? request.effect.heldDelta : 0n,
        balance: decision.next.balance,
        held: decision.next.held,
        ref: request.ref,
        at: new Date(),
      };
      if (decision.outcome === 'declined') entry.reason = decision.reason;
      if (request.capture) entry.capture = request.capture;
      return entry;
    });
  }

  async state(accountId: string): Promise<AccountState> {
    const head = await this.db.journal.find({ accountId }).sort({ seq: -1 }).limit(1).next();
    return head ? stateOf(head) : EMPTY_ACCOUNT;
  }

  get(opKey: string): Promise<JournalDoc | null> {
    return this.db.journal.findOne({ _id: opKey });
  }

  /** Newest first; `beforeSeq` pages backwards. */
  page(accountId: string, beforeSeq: number | undefined, limit: number): Promise<JournalDoc[]> {
    const filter = beforeSeq === undefined ? { accountId } : { accountId, seq: { $lt: beforeSeq } };
    return this.db.journal.find(filter).sort({ seq: -1 }).limit(limit).toArray();
  }

  /** Oldest first, for reconciliation. */
  all(accountId: string): AsyncIterable<JournalDoc> {
    return this.db.journal.find({ accountId }).sort({ seq: 1 });
  }
}

function stateOf(entry: JournalDoc): AccountState {
  return { seq: entry.seq, balance: BigInt(entry.balance), held: BigInt(entry.held) };
}
