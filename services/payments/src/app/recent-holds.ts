// The holds this process authorized and has not closed, so that their capture or void (the saga's next
// call, usually moments later) need not read the hold back. A hint only, never the truth: a hold's
// fields other than its status never change, and the status it remembers is not trusted either. Every
// close is decided by its journal entry, appended once under `hold:<id>:close`: if another replica
// closed the hold meanwhile, that append returns the entry already there and the caller is answered
// from it, exactly as when the hold is read from the database.
import type { HoldDoc } from '../adapters/documents.js';

const LIMIT = 10_000;

export interface RecentHold {
  /** As authorized: status 'authorized'. */
  hold: HoldDoc;
  /** The status this process left in the hold document: 'pending' when it did not store 'authorized'. */
  stored: HoldDoc['status'];
}

export class RecentHolds {
  private readonly holds = new Map<string, RecentHold>();

  /** Only holds whose reserve entry this process has seen applied and whose event is stored. */
  remember(hold: HoldDoc, stored: HoldDoc['status']): void {
    if (hold.status !== 'authorized') return;
    if (this.holds.size >= LIMIT) this.holds.clear();
    this.holds.set(hold._id, { hold, stored });
  }

  get(holdId: string): RecentHold | undefined {
    return this.holds.get(holdId);
  }

  forget(holdId: string): void {
    this.holds.delete(holdId);
  }
}
