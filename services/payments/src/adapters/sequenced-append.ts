// Append-once to a sequenced log (the journal, the refund log) without transactions.
//
// Each log document has a unique _id (the operation key) and a (stream, seq) pair made unique by an
// index. A writer reads the stream's head, computes entry head.seq + 1 from it and inserts. Of two
// writers that read the same head, the unique index lets exactly one insert succeed; the other re-reads
// and decides again against the new head. If the operation key already exists, the operation happened
// before (a retry or a recovery run): its stored entry is the answer, so every step takes effect once.
import type { Collection, Filter, OptionalUnlessRequiredId } from 'mongodb';
import { isDuplicateKey } from './mongo.js';

interface SequencedDoc {
  _id: string;
  seq: number;
}

export interface AppendResult<T> {
  entry: T;
  /** false when the operation key was already present (this call changed nothing). */
  fresh: boolean;
}

const MAX_ATTEMPTS = 2_000;

export async function appendOnce<T extends SequencedDoc>(
  log: Collection<T>,
  streamField: keyof T & string,
  streamId: string,
  opKey: string,
  build: (head: T | null) => T,
): Promise<AppendResult<T>> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const head = (await log
      .find({ [streamField]: streamId } as Filter<T>)
      .sort({ seq: -1 })
      .limit(1)
      .next()) as T | null;
    const entry = build(head);
    try {
      await log.insertOne(entry as OptionalUnlessRequiredId<T>);
      return { entry, fresh: true };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const existing = (await log.findOne({ _id: opKey } as Filter<T>)) as T | null;
      if (existing) return { entry: existing, fresh: false };
      // Lost the seq race: back off a little (more under contention) and decide again.
      await pause(attempt);
    }
  }
  throw new Error(`could not append ${opKey} to ${streamId}: too much contention`);
}

function pause(attempt: number): Promise<void> {
  const ceiling = Math.min(2 + attempt * 2, 50);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}
