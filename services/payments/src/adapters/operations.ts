// Operation documents (movements, holds, refunds, provider payments) are created once under an id derived
// from the client's idempotency key. A replay finds the first document; if its arguments differ, the
// key was reused for something else and the caller is told so instead of getting a wrong answer.
import type { Collection, Filter, OptionalUnlessRequiredId } from 'mongodb';
import { isDuplicateKey } from './mongo.js';

export interface OperationDoc {
  _id: string;
  fingerprint: string;
}

export type CreateResult<T> = { kind: 'created' | 'replayed'; doc: T } | { kind: 'conflict' };

export async function createOnce<T extends OperationDoc>(
  collection: Collection<T>,
  doc: T,
): Promise<CreateResult<T>> {
  try {
    await collection.insertOne(doc as OptionalUnlessRequiredId<T>);
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
export async function advance<T extends { _id: string; status: string }>(
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
