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
//
// A batch costs two commands when nobody contends: read the candidates, insert generation 0 of each
// claim (one insertMany), and its share of a mark written for every batch of a second. Claims are not
// deleted once published (the nightly retention purges them), so a first generation won proves nobody
// published the message; only a later generation is checked against the document again. A batch used
// to cost five commands and an insert a message (the claims read, the documents re-read, a mark of its
// own and the claims deleted): under checkout load, with batches of one or two messages, about half of
// what payments sent FerretDB (bench/checkout).
import type { OutboxRecord, OutboxSession, OutboxStore } from '@shopstack/kit';
import { DeferredMarks, injectTraceContext } from '@shopstack/kit';
import type { Collection } from 'mongodb';
import { GroupedInserts } from './grouped-inserts.js';
import { isDuplicateKey } from './mongo.js';

/** What the relay publishes, stored under the message id. */
export interface OutboxDoc extends Omit<OutboxRecord, 'key' | 'messageId'> {
  /** The message id: `<operation id>:<event type>`, the same on every retry. */
  _id: string;
  /** null until the broker confirmed it. */
  publishedAt: Date | null;
  /**
   * True until the broker confirmed it: what the relay looks for. A boolean, not `publishedAt: null`,
   * because FerretDB filters a null in Go after reading the whole collection and turns a boolean into
   * SQL (on 20,000 documents, 835 against 5.6 ms a query, measured here); MongoDB indexes either.
   */
  pending: boolean;
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

/** Pages of candidates a claim reads at most before it leaves the rest to the relays holding them. */
const MAX_PAGES = 5;

/** Published documents are marked together at most this much later (deferred-marks.ts in the kit). */
const MARK_DELAY_MS = 1_000;

export class MongoOutbox implements OutboxStore {
  private readonly wakers = new Set<() => void>();
  private readonly inserts: GroupedInserts<OutboxDoc>;
  private readonly claimInserts: GroupedInserts<OutboxClaimDoc>;

  constructor(
    private readonly collection: Collection<OutboxDoc>,
    private readonly claims: Collection<OutboxClaimDoc>,
    private readonly exchange: string,
    private readonly leaseMs = DEFAULT_LEASE_MS,
  ) {
    this.inserts = new GroupedInserts(collection);
    this.claimInserts = new GroupedInserts(claims);
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
      pending: true,
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
    const marks = new DeferredMarks(async (ids) => {
      await this.collection.updateMany(
        { _id: { $in: ids }, pending: true },
        { $set: { publishedAt: new Date(), pending: false } },
      );
    }, MARK_DELAY_MS);
    return {
      claim: (limit) => this.claim(limit, marks.pending()),
      markPublished: (records) => marks.add(records.map((record) => record.messageId)),
      close: async () => {
        this.wakers.delete(wake);
        await marks.flush();
      },
      // Every put in this process wakes its relay; another replica's puts wake that replica's relay,
      // and the poll is the net for a process that writes events without running one.
      notifies: true,
    };
  }

  async oldestPendingAgeSeconds(): Promise<number> {
    const oldest = await this.collection.findOne({ pending: true }, { sort: { createdAt: 1 } });
    return oldest ? Math.max(0, (Date.now() - oldest.createdAt.getTime()) / 1000) : 0;
  }

  /**
   * Reads more candidates than it needs, so a relay that lost the first ones to another finds others.
   * Leaves out what this relay published and has not marked yet (`awaitingMark`).
   */
  private async claim(limit: number, awaitingMark: string[]): Promise<OutboxRecord[]> {
    const records: OutboxRecord[] = [];
    const takenOver: string[] = [];
    const page = limit * 3;
    // The oldest pages may all be held by another relay (claimed, or published and not marked yet):
    // the next ones are read, so two relays share a backlog instead of one waiting for the other.
    for (let skip = 0; records.length < limit && skip < page * MAX_PAGES; skip += page) {
      const candidates = await this.collection
        .find({ pending: true, ...(awaitingMark.length > 0 && { _id: { $nin: awaitingMark } }) })
        .sort({ createdAt: 1 })
        .skip(skip)
        .limit(page)
        .toArray();
      // A slice's claims go in at once; a slice that lost some to another relay is topped up.
      for (let at = 0; at < candidates.length && records.length < limit; ) {
        const slice = candidates.slice(at, at + limit - records.length);
        at += slice.length;
        const won = await this.claimEach(slice);
        for (const { _id, publishedAt: _, pending: __, ...message } of slice) {
          const claim = won.get(_id);
          if (!claim) continue;
          records.push({ key: claim.key, messageId: _id, ...message });
          if (claim.generation > 0) takenOver.push(_id);
        }
      }
      if (candidates.length < page) break;
    }
    if (takenOver.length === 0) return records;
    // A generation after the first: the relay that held it may have published it before its lease
    // ended (only the first claim of a message proves nobody published it). Not again.
    const unpublished = await this.collection
      .find({ _id: { $in: takenOver }, pending: true })
      .project<{ _id: string }>({ _id: 1 })
      .toArray();
    const still = new Set(unpublished.map((doc) => doc._id));
    return records.filter((record) => !takenOver.includes(record.messageId) || still.has(record.messageId));
  }

  /**
   * The claims this relay won, by message id. Generation 0 is tried for all at once (the common case:
   * nobody claimed them). For a refused one the claims are read only if it could have expired: a
   * claim is younger than its message, so a message stored within the lease has none expired (under
   * load, two relays refuse each other's young messages all the time).
   */
  private async claimEach(
    docs: Pick<OutboxDoc, '_id' | 'createdAt'>[],
  ): Promise<Map<string, { key: string; generation: number }>> {
    const won = new Map<string, { key: string; generation: number }>();
    const now = Date.now();
    const until = new Date(now + this.leaseMs);
    const tryGenerations = async (tries: { messageId: string; generation: number }[]) => {
      const refused: string[] = [];
      const outcomes = await this.claimInserts.insertEach(
        tries.map(({ messageId, generation }) => ({
          _id: `${messageId}#${generation}`,
          messageId,
          generation,
          until,
        })),
      );
      tries.forEach(({ messageId, generation }, i) => {
        const outcome = outcomes[i];
        if (outcome === undefined) won.set(messageId, { key: `${messageId}#${generation}`, generation });
        else if (isDuplicateKey(outcome))
          refused.push(messageId); // another relay claimed it first
        else throw outcome;
      });
      return refused;
    };
    const refused = new Set(await tryGenerations(docs.map(({ _id }) => ({ messageId: _id, generation: 0 }))));
    const old = docs.filter(
      ({ _id, createdAt }) => refused.has(_id) && createdAt.getTime() <= now - this.leaseMs,
    );
    if (old.length === 0) return won;
    // One equality query a message: FerretDB reads the whole collection (a week of claims) for $in.
    const claimsOf = await Promise.all(old.map(({ _id }) => this.claims.find({ messageId: _id }).toArray()));
    const latest = claimsOf.flatMap((claims) =>
      claims.length > 0 ? [claims.reduce((a, b) => (b.generation > a.generation ? b : a))] : [],
    );
    const expired = latest.filter((claim) => claim.until.getTime() <= now);
    if (expired.length > 0)
      await tryGenerations(
        expired.map((claim) => ({ messageId: claim.messageId, generation: claim.generation + 1 })),
      );
    return won;
  }
}
