// Finding the latest entry of an account without sorting its whole journal (FerretDB sorts in memory,
// so a sort costs O(entries)). Two hints say where to start looking: the last state this process saw
// (in memory) and a "heads" document per account written after every 16th append. Neither is trusted: they
// are written without atomicity, may lag or even go back under concurrent writers, and a restarted or
// second replica has no memory. The reader probes forward from the hint, seq by seq, with indexed
// equality lookups until the next seq does not exist; if that head is stale by the time we insert,
// the unique (account, seq) index refuses the insert and the writer reads again.
import { type AccountState, EMPTY_ACCOUNT } from '../domain/ledger.js';
import type { JournalDoc } from './documents.js';
import type { PaymentsDb } from './mongo.js';

const MEMORY_LIMIT = 50_000;
/**
 * The stored hint is written for every HINT_EVERY-th entry of an account, not for each: it is one more
 * write per append otherwise, and a reader starting from a hint at most this far behind only probes
 * that many more entries, once per process (after that it starts from memory).
 */
export const HINT_EVERY = 16;

export class JournalHeads {
  private readonly seen = new Map<string, AccountState>();

  constructor(private readonly db: PaymentsDb) {}

  async read(accountId: string): Promise<AccountState> {
    let state = this.seen.get(accountId) ?? (await this.stored(accountId));
    for (;;) {
      const next = await this.db.journal.findOne({ accountId, seq: state.seq + 1 });
      if (!next) break;
      state = { seq: next.seq, balance: next.balance, held: next.held };
    }
    this.note(accountId, state);
    return state;
  }

  /**
   * The last state this process saw, unverified (another writer may have appended since): what an
   * append tries first, so an account this process keeps writing costs no probe per entry.
   */
  remembered(accountId: string): AccountState | undefined {
    return this.seen.get(accountId);
  }

  /** Best effort and not awaited: a lost or late update only costs a later reader a few more probes. */
  remember(entry: JournalDoc): void {
    const state = { seq: entry.seq, balance: entry.balance, held: entry.held };
    this.note(entry.accountId, state);
    if (entry.seq % HINT_EVERY !== 0) return;
    this.db.heads
      .updateOne({ _id: entry.accountId, seq: { $lt: entry.seq } }, { $set: state }, { upsert: true })
      .catch(() => {
        // A duplicate key means the stored head is already further on; any other failure loses a hint.
      });
  }

  private async stored(accountId: string): Promise<AccountState> {
    const hint = await this.db.heads.findOne({ _id: accountId });
    return hint ? { seq: hint.seq, balance: hint.balance, held: hint.held } : EMPTY_ACCOUNT;
  }

  private note(accountId: string, state: AccountState): void {
    const known = this.seen.get(accountId);
    if (known && known.seq >= state.seq) return;
    if (this.seen.size >= MEMORY_LIMIT) this.seen.clear();
    this.seen.set(accountId, state);
  }
}
