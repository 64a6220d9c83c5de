// Payments' outbox on MongoDB. FerretDB has no multi-document transactions, so an event cannot be
// stored "in the same transaction" as its journal entries; instead each use case stores it after the
// movement's last journal entry and before the operation's status says completed, under an id derived
// from the operation and the event type. A crash anywhere leaves the operation pending; recovery
// drives it again, which finds the journal entries done and upserts the same outbox document.
//
// The kit's relay publishes it (this is its OutboxStore). Replicas share the collection without a
// leader: each claims documents with a lease (`claimedUntil`), so two relays never publish one at
// the same time, and a relay that died mid-batch leaves documents another claims once the lease ends.
import type { OutboxRecord, OutboxSession, OutboxStore } from '@shopstack/kit';
import { injectTraceContext } from '@shopstack/kit';
import type { Collection } from 'mongodb';

/** What the relay publishes, stored under the message id. */
export interface OutboxDoc extends Omit<OutboxRecord, 'key' | 'messageId'> {
  /** The message id: `<operation id>:<event type>`, the same on every retry. */
  _id: string;
  /** null until the broker confirmed it. */
  publishedAt: Date | null;
  /** A relay is publishing it until then; the epoch when nobody is. */
  claimedUntil: Date;
}

export interface OutboxEvent {
  /** The operation the event is about (a movement, a payment, a refund). */
  operationId: string;
  type: string;
  payload: unknown;
}

const UNCLAIMED = new Date(0);
/** Far longer than a batch takes to publish; only a relay that died holds a claim that long. */
const DEFAULT_LEASE_MS = 30_000;

export class MongoOutbox implements OutboxStore {
  private readonly wakers = new Set<() => void>();

  constructor(
    private readonly collection: Collection<OutboxDoc>,
    private readonly exchange: string,
    private readonly leaseMs = DEFAULT_LEASE_MS,
  ) {}

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
      claimedUntil: UNCLAIMED,
    };
    const { _id, ...rest } = doc;
    await this.collection.updateOne({ _id }, { $setOnInsert: rest }, { upsert: true });
    for (const wake of this.wakers) wake(); // a relay in this process need not wait for its poll
  }

  async open(wake: () => void): Promise<OutboxSession> {
    this.wakers.add(wake);
    return {
      claim: (limit) => this.claim(limit),
      markPublished: async (records) => {
        await this.collection.updateMany(
          { _id: { $in: records.map((record) => record.key) } },
          { $set: { publishedAt: new Date(), claimedUntil: UNCLAIMED } },
        );
      },
      close: async () => void this.wakers.delete(wake),
    };
  }

  async oldestPendingAgeSeconds(): Promise<number> {
    const oldest = await this.collection.findOne({ publishedAt: null }, { sort: { createdAt: 1 } });
    return oldest ? Math.max(0, (Date.now() - oldest.createdAt.getTime()) / 1000) : 0;
  }

  /** One findOneAndUpdate per document: the lease is taken atomically, per document. */
  private async claim(limit: number): Promise<OutboxRecord[]> {
    const records: OutboxRecord[] = [];
    while (records.length < limit) {
      const now = new Date();
      const doc = await this.collection.findOneAndUpdate(
        { publishedAt: null, claimedUntil: { $lt: now } },
        { $set: { claimedUntil: new Date(now.getTime() + this.leaseMs) } },
        { sort: { createdAt: 1 }, returnDocument: 'after' },
      );
      if (!doc) break;
      const { _id, publishedAt: _, claimedUntil: __, ...message } = doc;
      records.push({ key: _id, messageId: _id, ...message });
    }
    return records;
  }
}
