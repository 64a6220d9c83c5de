// The append-only journal of every account. Balances are never stored anywhere else: an account's
// balance is the running balance of its latest entry (see sequenced-append.ts for the race guard and
// journal-heads.ts for how the latest entry is found).
import { allowsOverdraft } from '../domain/ids.js';
import { type AccountState, type Decision, decide, type Effect } from '../domain/ledger.js';
import type { EntryKind, JournalDoc } from './documents.js';
import { GroupedInserts } from './grouped-inserts.js';
import { JournalHeads } from './journal-heads.js';
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
  private readonly heads: JournalHeads;
  /** Every account's appends share the inserts: the checkout's entries go to the server in groups. */
  private readonly inserts: GroupedInserts<JournalDoc>;

  constructor(private readonly db: PaymentsDb) {
    this.heads = new JournalHeads(db);
    this.inserts = new GroupedInserts(db.journal);
  }

  async append(request: AppendRequest): Promise<AppendResult<JournalDoc>> {
    const overdraft = allowsOverdraft(request.accountId);
    const result = await appendOnce({
      log: this.db.journal,
      opKey: request.opKey,
      readHead: () => this.heads.read(request.accountId),
      guessHead: () => this.heads.remembered(request.accountId),
      newerHead: (than) => {
        const remembered = this.heads.remembered(request.accountId);
        return remembered && remembered.seq > than.seq ? remembered : undefined;
      },
      build: (head: AccountState) => entryFor(request, decide(head, request.effect, overdraft)),
      insert: (entry) => this.inserts.insertOne(entry),
    });
    if (result.fresh) this.heads.remember(result.entry);
    return result;
  }

  state(accountId: string): Promise<AccountState> {
    return this.heads.read(accountId);
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

function entryFor(request: AppendRequest, decision: Decision): JournalDoc {
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
}
