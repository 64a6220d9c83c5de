// Append-once to a sequenced log (the journal, the refund log) without transactions.
//
// Each log document has a unique _id (the operation key) and a (stream, seq) pair made unique by an
// index. A writer reads the stream's head, computes entry head.seq + 1 from it and inserts. Of two
// writers that read the same head, the unique index lets exactly one insert succeed; the other re-reads
// and decides again against the new head. (So a writer may also start from a head it remembers, without
// reading: the index refuses the entry if that head was not the latest.) If the operation key already exists, the operation happened
// before (a retry or a recovery run): its stored entry is the answer, so every step takes effect once.
import type { Collection, Document, Filter, OptionalUnlessRequiredId } from 'mongodb';
import { isDuplicateKey } from './mongo.js';

interface SequencedDoc extends Document {
  _id: string;
  seq: number;
}

export interface AppendResult<T> {
  entry: T;
  /** false when the operation key was already present (this call changed nothing). */
  fresh: boolean;
}

export interface AppendSpec<T extends Document, H> {
  log: Collection<T>;
  opKey: string;
  /** The latest entry's state; it may be stale (the insert then loses the race and we retry). */
  readHead: () => Promise<H>;
  /**
   * A head remembered without reading, tried first: the unique (stream, seq) index refuses an entry
   * decided on a head that is no longer the latest, so a wrong guess costs a retry, never money.
   */
  guessHead?: () => H | undefined;
  /** A remembered head later than `than`, if this process has appended past it (see guessHead). */
  newerHead?: (than: H) => H | undefined;
  build: (head: H) => T;
  /** How the entry is inserted (default: the log's insertOne); a grouped insert must keep its error. */
  insert?: (entry: T) => Promise<unknown>;
}

const MAX_ATTEMPTS = 2_000;

export async function appendOnce<T extends SequencedDoc, H>(
  spec: AppendSpec<T, H>,
): Promise<AppendResult<T>> {
  const { log, opKey } = spec;
  const insert = spec.insert ?? ((entry: T) => log.insertOne(entry as OptionalUnlessRequiredId<T>));
  let retryGuess: H | undefined;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const guess = attempt === 0 ? spec.guessHead?.() : retryGuess;
    retryGuess = undefined;
    let entry: T;
    let head: H;
    try {
      head = guess ?? (await spec.readHead());
      entry = spec.build(head);
    } catch (error) {
      // Impossible on a remembered head that may be stale: decide again on the one read now.
      if (guess !== undefined) continue;
      // A step that is impossible on the current head (releasing a hold that is no longer held) is
      // usually this very step, already appended by a concurrent caller after our first look.
      const existing = (await log.findOne({ _id: opKey } as Filter<T>)) as T | null;
      if (existing) return { entry: existing, fresh: false };
      throw error;
    }
    try {
      await insert(entry);
      return { entry, fresh: true };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      // A writer in this process has appended to the stream since our head was taken (the head it
      // remembers is a newer one): we most likely lost the seq race, so decide again on that head at
      // once. If our key was the duplicate, that insert is refused too and we look below.
      const newer = spec.newerHead?.(head);
      if (newer !== undefined && attempt < MAX_ATTEMPTS / 2) {
        retryGuess = newer;
        continue;
      }
      // Which index refused it is not reported by every server (FerretDB is silent), so look.
      const existing = (await log.findOne({ _id: opKey } as Filter<T>)) as T | null;
      if (existing) return { entry: existing, fresh: false };
      // Lost the seq race: back off a little (more under contention) and decide again; a guess
      // that was stale reads the head at once.
      if (guess === undefined) await pause(attempt);
    }
  }
  throw new Error(`could not append ${opKey}: too much contention`);
}

/** The head of a small stream by sorting; fine for streams of a few entries (a hold's refunds). */
export function headBySort<T extends SequencedDoc>(log: Collection<T>, filter: Filter<T>) {
  return async () => (await log.find(filter).sort({ seq: -1 }).limit(1).next()) as T | null;
}

function pause(attempt: number): Promise<void> {
  const ceiling = Math.min(2 + attempt * 2, 50);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}
