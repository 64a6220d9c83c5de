// Operation documents (movements, holds, refunds, provider payments) are created once under an id derived
// from the client's idempotency key. A replay finds the first document; if its arguments differ, the
// key was reused for something else and the caller is told so instead of getting a wrong answer.
import type { Collection, Filter } from 'mongodb';
import { GroupedInserts } from './grouped-inserts.js';
import { isDuplicateKey } from './mongo.js';

export interface OperationDoc {
  _id: string;
  fingerprint: string;
}

export type CreateResult<T> = { kind: 'created' | 'replayed'; doc: T } | { kind: 'conflict' };

async function createOnce<T extends OperationDoc>(
  collection: Collection<T>,
  inserts: GroupedInserts<T>,
  doc: T,
): Promise<CreateResult<T>> {
  try {
    await inserts.insertOne(doc);
    return { kind: 'created', doc };
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    const existing = (await collection.findOne({ _id: doc._id } as Filter<T>)) as T | null;
    if (!existing) throw error;
    if (existing.fingerprint !== doc.fingerprint) return { kind: 'conflict' };
    return { kind: 'replayed', doc: existing };
  }
}

/**
 * Moves a document forward from one of `from` to a new status. On FerretDB this is not atomic against
 * a concurrent writer, which is fine: statuses are a progress cache, the journal decides every outcome,
 * and the recovery job re-derives a status that a lost update left behind.
 */
async function advance<T extends { _id: string; status: string }>(
  collection: Collection<T>,
  id: string,
  from: readonly string[],
  set: Partial<T>,
): Promise<void> {
  await collection.updateOne(
    { _id: id, status: { $in: from } } as Filter<T>,
    { $set: { ...set, updatedAt: new Date() } } as never,
  );
}

/** The documents of one kind of operation, by id and by status: every query the use cases need. */
export class OperationStore<T extends OperationDoc & { status: string; updatedAt: Date }> {
  private readonly inserts: GroupedInserts<T>;

  constructor(protected readonly collection: Collection<T>) {
    this.inserts = new GroupedInserts(collection);
  }

  create(doc: T): Promise<CreateResult<T>> {
    return createOnce(this.collection, this.inserts, doc);
  }

  get(id: string): Promise<T | null> {
    return this.collection.findOne({ _id: id } as Filter<T>) as Promise<T | null>;
  }

  advance(id: string, from: readonly T['status'][], set: Partial<T>): Promise<void> {
    return advance(this.collection, id, from, set);
  }

  /** Up to `limit` documents in one of `statuses` untouched since `before`: what a crash left half-way. */
  stuck(statuses: readonly T['status'][], before: Date, limit: number): Promise<T[]> {
    return findInStatuses(this.collection, statuses, { updatedAt: { $lt: before } } as Filter<T>, limit);
  }
}

/**
 * Up to `limit` documents matching `filter` in any of `statuses`, one query a status. FerretDB turns a
 * string's equality into SQL but answers `$in` by reading the whole collection into Go (every hold ever
 * made, for each run of the expiry job); one equality a status reads only the documents in it.
 */
export async function findInStatuses<T extends { status: string }>(
  collection: Collection<T>,
  statuses: readonly T['status'][],
  filter: Filter<T>,
  limit: number,
): Promise<T[]> {
  const found: T[] = [];
  for (const status of statuses) {
    if (found.length >= limit) break;
    const docs = await collection
      .find({ ...filter, status } as Filter<T>)
      .limit(limit - found.length)
      .toArray();
    found.push(...(docs as T[]));
  }
  return found;
}
