// Account documents. An account's id is derived from (user, currency), so opening it twice, even
// concurrently, yields the same single account: the second insert hits the unique _id and is ignored.
import { customerAccountId, type SystemAccountKind, systemAccountId } from '../domain/ids.js';
import type { AccountDoc } from './documents.js';
import { isDuplicateKey, type PaymentsDb } from './mongo.js';

export const PLATFORM_USER = 'platform';

export class Accounts {
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

  async system(kind: SystemAccountKind, currency: string): Promise<AccountDoc> {
    return this.insertOnce({
      _id: systemAccountId(kind, currency),
      userId: PLATFORM_USER,
      currency,
      kind,
      createdAt: new Date(),
    });
  }

  get(accountId: string): Promise<AccountDoc | null> {
    return this.db.accounts.findOne({ _id: accountId });
  }

  findCustomer(userId: string, currency: string): Promise<AccountDoc | null> {
    return this.db.accounts.findOne({ _id: customerAccountId(userId, currency) });
  }

  listForUser(userId: string): Promise<AccountDoc[]> {
    return this.db.accounts.find({ userId }).sort({ currency: 1 }).toArray();
  }

  all(): AsyncIterable<AccountDoc> {
    return this.db.accounts.find({}).sort({ _id: 1 });
  }

  private async insertOnce(doc: AccountDoc): Promise<AccountDoc> {
    try {
      await this.db.accounts.insertOne(doc);
      return doc;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const existing = await this.db.accounts.findOne({ _id: doc._id });
      if (!existing) throw error;
      return existing;
    }
  }
}
