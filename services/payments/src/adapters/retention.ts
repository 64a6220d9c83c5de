// Retention on MongoDB: payments' documents past their age, deleted in bounded batches when the back
// office's nightly run asks (the kit's boot hears it and calls `run`). Each batch finds up to
// `batchSize` ids first and deletes just those (FerretDB has no TTL index, and a bounded deleteMany
// keeps each write small), with a cap on batches per run; what is left waits for the next run.
import type { RetentionResult } from '@shopstack/kit';
import type { Collection, Document, Filter } from 'mongodb';

export interface DocumentRetentionRule {
  /** Named in logs and in the run's result. */
  name: string;
  // biome-ignore lint/suspicious/noExplicitAny: rules over collections of different document shapes
  collection: Collection<any>;
  /** The date field a document's age is counted from. */
  field: string;
  /** Documents whose `field` is older than this many days go. */
  days: number;
  /** A further condition a document must meet to go (e.g. only published outbox documents). */
  filter?: Filter<Document>;
}

export interface DocumentPurgeOptions {
  batchSize?: number;
  maxBatches?: number;
  /** The time ages are counted to (tests). */
  now?: Date;
}

const DAY_MS = 86_400_000;

/** Deletes the documents past their age, batch by batch; returns how many went. */
export async function purgeDocuments(
  rule: DocumentRetentionRule,
  options: DocumentPurgeOptions = {},
): Promise<number> {
  if (!(rule.days > 0)) throw new Error(`retention rule ${rule.name}: days must be positive`);
  const batchSize = options.batchSize ?? 1_000;
  const maxBatches = options.maxBatches ?? 100;
  const cutoff = new Date((options.now ?? new Date()).getTime() - rule.days * DAY_MS);
  const expired: Filter<Document> = { ...rule.filter, [rule.field]: { $ne: null, $lt: cutoff } };
  let deleted = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    const ids = (await rule.collection.find(expired).project({ _id: 1 }).limit(batchSize).toArray()).map(
      (doc) => doc._id,
    );
    if (ids.length === 0) break;
    // The condition again: a document that changed since it was found (none should) stays.
    deleted += (await rule.collection.deleteMany({ ...expired, _id: { $in: ids } })).deletedCount;
    if (ids.length < batchSize) break;
  }
  return deleted;
}

/** Runs every rule; returns how many documents each deleted. */
export async function purgeAllDocuments(
  rules: readonly DocumentRetentionRule[],
  options: DocumentPurgeOptions = {},
): Promise<RetentionResult> {
  const deleted: RetentionResult = {};
  for (const rule of rules) deleted[rule.name] = await purgeDocuments(rule, options);
  return deleted;
}
