// Payments' outbox on MongoDB. FerretDB has no multi-document transactions, so an event cannot be
// stored "in the same transaction" as its journal entries; instead each use case stores it after the
// movement's last journal entry and before the operation's status says completed, under an id derived
// from the operation and the event type. A crash anywhere leaves the operation pending; recovery
// drives it again, which finds the journal entries done and stores the same outbox document again (a no-op).
//
// The kit's relay publishes it (this is its OutboxStore). Replicas share the collection without a
// leader. A relay claims a document by inserting `<message id>#<generation>` into `outbox_claims`,
// valid until a lease ends: only one insert of a key succeeds, and generation n+1 is only tried once
// generation n has expired. Nothing is ever updated or deleted to take a claim over, because FerretDB's
// findOneAndUpdate (and a conditional delete) is not atomic against a concurrent writer: two relays both
// "won" one document with a lease field. A relay that died holding claims leaves them to expire; the
// next claimant takes the following generation. Two relays publish one message only if one outlived its
// lease (30 s, against batches of milliseconds); the message id is the same, and inboxes drop the second.
import type { OutboxRecord, OutboxSession, OutboxStore } from '@shopstack/kit';
import { injectTraceContext } from '@shopstack/kit';
import type { Collection } from 'mongodb';
import { GroupedInserts } from './grouped-inserts.js';
import { isDuplicateKey } from './mongo.js';

/** What the relay publishes, stored under the message id. */
export interface OutboxDoc extends Omit<OutboxRecord, 'key' | 'messageId'> {
  /** The message id: `<operation id>:<event type>`, the same on every retry. */
  _id: string;
  /** null until the broker confirmed it. */
  publishedAt: Date | null;
}

/** `<message id>#<generation>`: the relay that inserted it holds the message until `until`. */
export interface OutboxClaimDoc {
  _id: string;
  messageId: string;
  generation: number;
  until: Date;
}

export interface OutboxEvent {
  /** The operation the event is about (a movement, a payment, a refund). */
  operationId: string;
  type: string;
  payload: unknown;
}

/** Far longer than a batch takes to publish; only a relay that died holds a claim that long. */
const DEFAULT_LEASE_MS = 30_000;

export class MongoOutbox implements OutboxStore {
  private readonly wakers = new Set<() => void>();
  private readonly inserts: GroupedInserts<OutboxDoc>;

  constructor(
    private readonly collection: Collection<OutboxDoc>,
    private readonly claims: Collection<OutboxClaimDoc>,
    private readonly exchange: string,
    private readonly leaseMs = DEFAULT_LEASE_MS,
  ) {
    this.inserts = new GroupedInserts(collection);
  }

  static messageId(event: Pick<OutboxEvent, 'operationId' | 'type'>): string {
    return `${event.operationId}:${event.type}`;
  }

  /** Stores the event once: a retry of the same operation finds it and changes nothing. */
  async put(event: OutboxEvent): Promise<void> {
    const doc: OutboxDoc = {
      _id: MongoOutbox.messageId(event),
      exchange: this.exchange,
      routingKey: event.type,
      type: event.type,
      payload: event.payload,
      headers: injectTraceContext(),
      createdAt: new Date(),
      publishedAt: null,
    };
    try {
      // An insert, not an upsert: inserts go to the server in groups (grouped-inserts.ts).
      await this.inserts.insertOne(doc);
    } catch (error) {
      // Stored before: a retry, or a request and the recovery job (or the provider's webhook) both
      // finishing an operation. The first document stands, as an upsert's $setOnInsert would leave it.
      if (!isDuplicateKey(error)) throw error;
    }
    for (const wake of this.wakers) wake(); // a relay in this process need not wait for its poll
  }

  async open(wake: () => void): Promise<OutboxSession> {
    this.wakers.add(wake);
    return {
      claim: (limit) => this.claim(limit),
      markPublished: async (records) => {
        const ids = records.map((record) => record.messageId);
        await this.collection.updateMany({ _id: { $in: ids } }, { $set: { publishedAt: new Date() } });
        // Only after the mark: a relay that still sees the document unpublished and claims it anew
        // re-reads it after its claim and finds it published.
        await this.claims.deleteMany({ messageId: { $in: ids } });
      },
      close: async () => void this.wakers.delete(wake),
    };
  }

  async oldestPendingAgeSeconds(): Promise<number> {
    const oldest = await this.collection.findOne({ publishedAt: null }, { sort: { createdAt: 1 } });
    return oldest ? Math.max(0, (Date.now() - oldest.createdAt.getTime()) / 1000) : 0;
  }

  /** Reads more candidates than it needs, so a relay that lost the first ones to another finds others. */
  private async claim(limit: number): Promise<OutboxRecord[]> {
    const candidates = await this.collection
      .find({ publishedAt: null })
      .sort({ createdAt: 1 })
      .limit(limit * 3)
      .toArray();
    if (candidates.length === 0) return [];
    const latest = new Map<string, OutboxClaimDoc>();
    for (const claim of await this.claims
      .find({ messageId: { $in: candidates.map((doc) => doc._id) } })
      .toArray()) {
      if ((latest.get(claim.messageId)?.generation ?? -1) < claim.generation)
        latest.set(claim.messageId, claim);
    }
    const now = Date.now();
    const free = candidates.filter(({ _id }) => !((latest.get(_id)?.until.getTime() ?? 0) > now));
    const records: OutboxRecord[] = [];
    // The claims of a slice go in at once; a slice that lost some to another relay is topped up.
    for (let at = 0; at < free.length && records.length < limit; ) {
      const slice = free.slice(at, at + limit - records.length);
      at += slice.length;
      const won = await Promise.all(slice.map((doc) => this.tryClaim(doc._id, latest.get(doc._id), now)));
      slice.forEach(({ _id, publishedAt: _, ...message }, i) => {
        const key = won[i];
        if (key) records.push({ key, messageId: _id, ...message });
      });
    }
    if (records.length === 0) return records;
    // Published by another relay between the read above and the claim: not again.
    const unpublished = await this.collection
      .find({ _id: { $in: records.map((record) => record.messageId) }, publishedAt: null })
      .project<{ _id: string }>({ _id: 1 })
      .toArray();
    const still = new Set(unpublished.map((doc) => doc._id));
    const done = records.filter((record) => !still.has(record.messageId));
    if (done.length > 0) await this.claims.deleteMany({ _id: { $in: done.map((record) => record.key) } });
    return records.filter((record) => still.has(record.messageId));
  }

  /** The claim's key if this relay inserted the generation after `held`; undefined if another did. */
  private async tryClaim(messageId: string, held: OutboxClaimDoc | undefined, now: number) {
    const generation = held ? held.generation + 1 : 0;
    const key = `${messageId}#${generation}`;
    try {
      await this.claims.insertOne({ _id: key, messageId, generation, until: new Date(now + this.leaseMs) });
      return key;
    } catch (error) {
      if (isDuplicateKey(error)) return undefined; // another relay claimed it first
      throw error;
    }
  }
}
