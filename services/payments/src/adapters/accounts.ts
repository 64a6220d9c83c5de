// Account documents. An account's id is derived from (user, currency), so opening it twice, even
// concurrently, yields the same single account: the second insert hits the unique _id and is ignored.
import { customerAccountId, type SystemAccountKind, shardFor, systemAccountId } from '../domain/ids.js';
import type { AccountDoc } from './documents.js';
import { isDuplicateKey, type PaymentsDb } from './mongo.js';

export const PLATFORM_USER = 'platform';

export class Accounts {
  /** Accounts known to exist; accounts are never deleted, so this cache cannot go wrong. */
  private readonly known = new Map<string, AccountDoc>();

  constructor(private readonly db: PaymentsDb) {}

  async open(userId: string, currency: string): Promise<AccountDoc> {
    return this.insertOnce({
      _id: customerAccountId(userId, currency),
      userId,
      currency,
      kind: 'customer',
      createdAt: new Date(),
    });
  }

  /** The shard of a system account that the operation `operationId` uses. */
  async system(kind: SystemAccountKind, currency: string, operationId: string): Promise<AccountDoc> {
    return this.insertOnce({
      _id: systemAccountId(kind, currency, shardFor(operationId)),
      userId: PLATFORM_USER,
      currency,
      kind,
      createdAt: new Date(),
    });
  }

  get(accountId: string): Promise<AccountDoc | null> {
    return this.db.accounts.findOne({ _id: accountId });
  }

  /** Answered from memory once found: accounts are never deleted. A miss is asked again next time. */
  async findCustomer(userId: string, currency: string): Promise<AccountDoc | null> {
    const id = customerAccountId(userId, currency);
    const cached = this.known.get(id);
    if (cached) return cached;
    const found = await this.db.accounts.findOne({ _id: id });
    if (found) this.keep(found);
    return found;
  }

  listForUser(userId: string): Promise<AccountDoc[]> {
    return this.db.accounts.find({ userId }).sort({ currency: 1 }).toArray();
  }

  all(): AsyncIterable<AccountDoc> {
    return this.db.accounts.find({}).sort({ _id: 1 });
  }

  private async insertOnce(doc: AccountDoc): Promise<AccountDoc> {
    const cached = this.known.get(doc._id);
    if (cached) return cached;
    let stored = doc;
    try {
      await this.db.accounts.insertOne(doc);
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const existing = await this.db.accounts.findOne({ _id: doc._id });
      if (!existing) throw error;
      stored = existing;
    }
    this.keep(stored);
    return stored;
  }

  private keep(doc: AccountDoc): void {
    if (this.known.size > 100_000) this.known.clear();
    this.known.set(doc._id, doc);
  }
}
