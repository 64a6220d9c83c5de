// The payments database: one MongoDB (FerretDB locally) database, its collections and indexes.
// Writes use majority write concern: an acknowledged write survives a primary failover. Reads of a
// journal head may be slightly stale under majority read concern; that only makes an append lose the
// (account, seq) race and retry, never produces a wrong balance (see README "Invariants").
import { type Collection, type Db, type Document, MongoClient } from 'mongodb';
import type {
  AccountDoc,
  AdjustmentApprovalDoc,
  AdjustmentDoc,
  DisputeDoc,
  HoldDoc,
  JournalDoc,
  JournalHeadDoc,
  MovementDoc,
  ProviderPaymentDoc,
  RefundDoc,
  RefundLogDoc,
} from './documents.js';
import type { LimitLogDoc } from './limit-log.js';
import type { OutboxClaimDoc, OutboxDoc } from './outbox.js';

export interface PaymentsDb {
  client: MongoClient;
  db: Db;
  accounts: Collection<AccountDoc>;
  journal: Collection<JournalDoc>;
  heads: Collection<JournalHeadDoc>;
  holds: Collection<HoldDoc>;
  movements: Collection<MovementDoc>;
  refunds: Collection<RefundDoc>;
  refundLog: Collection<RefundLogDoc>;
  providerPayments: Collection<ProviderPaymentDoc>;
  limitLog: Collection<LimitLogDoc>;
  disputes: Collection<DisputeDoc>;
  adjustments: Collection<AdjustmentDoc>;
  adjustmentApprovals: Collection<AdjustmentApprovalDoc>;
  outbox: Collection<OutboxDoc>;
  outboxClaims: Collection<OutboxClaimDoc>;
}

export interface ConnectOptions {
  /** Emit the driver's command events (`commandStarted` ...) on the client; the benchmark counts them. */
  monitorCommands?: boolean;
}

export async function connectPaymentsDb(
  url: string,
  dbName: string,
  options: ConnectOptions = {},
): Promise<PaymentsDb> {
  // useBigInt64: Int64 values come back as bigint, so money never passes through a float.
  const client = new MongoClient(url, {
    monitorCommands: options.monitorCommands ?? false,
    useBigInt64: true,
    writeConcern: { w: 'majority', journal: true },
    serverSelectionTimeoutMS: 10_000,
    retryWrites: true,
  });
  await client.connect();
  const db = client.db(dbName);
  const paymentsDb: PaymentsDb = {
    client,
    db,
    accounts: db.collection('accounts'),
    journal: db.collection('journal'),
    heads: db.collection('journal_heads'),
    holds: db.collection('holds'),
    movements: db.collection('movements'),
    refunds: db.collection('refunds'),
    refundLog: db.collection('refund_log'),
    providerPayments: db.collection('provider_payments'),
    limitLog: db.collection('limit_log'),
    disputes: db.collection('disputes'),
    adjustments: db.collection('adjustments'),
    adjustmentApprovals: db.collection('adjustment_approvals'),
    outbox: db.collection('outbox'),
    outboxClaims: db.collection('outbox_claims'),
  };
  await ensureIndexes(paymentsDb);
  return paymentsDb;
}

/** Idempotent; run on every start. Only plain and unique indexes (FerretDB has no partial or TTL). */
async function ensureIndexes(p: PaymentsDb): Promise<void> {
  // The append race guard: exactly one entry per (account, seq). _id (the operation key) is unique too.
  await p.journal.createIndex({ accountId: 1, seq: 1 }, { unique: true, name: 'account_seq_unique' });
  await p.refundLog.createIndex({ holdId: 1, seq: 1 }, { unique: true, name: 'hold_seq_unique' });
  await p.limitLog.createIndex({ stream: 1, seq: 1 }, { unique: true, name: 'stream_seq_unique' });
  await p.accounts.createIndex({ userId: 1 }, { name: 'by_user' });
  await p.holds.createIndex({ status: 1, expiresAt: 1 }, { name: 'by_status_expiry' });
  await p.movements.createIndex({ status: 1, updatedAt: 1 }, { name: 'by_status' });
  await p.refunds.createIndex({ status: 1, updatedAt: 1 }, { name: 'by_status' });
  await p.providerPayments.createIndex({ status: 1, updatedAt: 1 }, { name: 'by_status' });
  await p.disputes.createIndex({ status: 1, updatedAt: 1 }, { name: 'by_status' });
  await p.adjustments.createIndex({ status: 1, updatedAt: 1 }, { name: 'by_status' });
  await p.adjustments.createIndex({ userId: 1, createdAt: -1 }, { name: 'by_user' });
  await p.outbox.createIndex({ pending: 1, createdAt: 1 }, { name: 'pending' });
  // A database from before `pending` (its relay looked for publishedAt: null, by the index
  // 'unpublished'): its unpublished documents are given the flag, once, and then the old index goes.
  // Only then, so a crash in between gives them the flag again at the next start. (On FerretDB this
  // update reads the whole collection, which is why it is not run at every start.)
  if (await hasIndex(p.outbox, 'unpublished')) {
    await p.outbox.updateMany(
      { pending: { $exists: false }, publishedAt: null },
      { $set: { pending: true } },
    );
    await p.outbox.dropIndex('unpublished');
  }
  await p.outboxClaims.createIndex({ messageId: 1 }, { name: 'by_message' });
}

async function hasIndex<T extends Document>(collection: Collection<T>, name: string): Promise<boolean> {
  return (await collection.indexes()).some((index) => index.name === name);
}

export function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}
