// The payments application: every use case, wired to one database and one provider.
import { Accounts } from '../adapters/accounts.js';
import { Journal } from '../adapters/journal.js';
import { LimitLog } from '../adapters/limit-log.js';
import type { PaymentsDb } from '../adapters/mongo.js';
import { operationStores } from '../adapters/operation-stores.js';
import type { PaymentProvider } from '../adapters/providers/provider.js';
import type { FeeSchedule } from '../domain/fees.js';
import type { DailyLimits } from '../domain/limits.js';
import { AccountQueries } from './accounts.js';
import { Adjustments } from './adjustments.js';
import { Disputes } from './disputes.js';
import { type EventSink, PaymentEvents } from './events.js';
import { Holds } from './holds.js';
import { MovementRunner } from './movements.js';
import { ProviderPayments } from './provider-payments.js';
import { Reconciliation } from './reconciliation.js';
import { Refunds } from './refunds.js';
import { Transfers } from './transfers.js';

export interface PaymentsOptions {
  db: PaymentsDb;
  /** undefined: no provider is configured, top-ups and withdrawals are refused. */
  provider: PaymentProvider | undefined;
  fees: FeeSchedule;
  holdTtlSeconds: number;
  /** The recovery job's grace period (RECOVERY_GRACE_MS); 10 s when left out. */
  recoveryGraceMs?: number;
  dailyLimits: DailyLimits;
  /** Where integration events are stored for the relay; app-level suites may leave it out. */
  outbox?: EventSink;
}

export interface PaymentsApp {
  db: PaymentsDb;
  provider: PaymentProvider | undefined;
  accounts: AccountQueries;
  journal: Journal;
  movements: MovementRunner;
  transfers: Transfers;
  holds: Holds;
  refunds: Refunds;
  providerPayments: ProviderPayments;
  disputes: Disputes;
  reconciliation: Reconciliation;
  adjustments: Adjustments;
}

export function createPaymentsApp(options: PaymentsOptions): PaymentsApp {
  const { db, provider, fees } = options;
  const accountStore = new Accounts(db);
  const journal = new Journal(db);
  const stores = operationStores(db);
  const events = new PaymentEvents(options.outbox, accountStore);
  const movements = new MovementRunner(stores.movements, journal, events);
  const disputes = new Disputes(stores.disputes, stores.movements, accountStore, journal, movements, events);
  const holds = new Holds(
    stores.holds,
    accountStore,
    journal,
    options.holdTtlSeconds,
    fees.cashback,
    events,
    options.recoveryGraceMs,
  );
  return {
    db,
    provider,
    journal,
    movements,
    holds,
    accounts: new AccountQueries(accountStore, journal),
    transfers: new Transfers(stores.movements, accountStore, movements, fees),
    refunds: new Refunds(stores.refunds, stores.refundLog, journal, holds, events),
    providerPayments: new ProviderPayments(
      stores.providerPayments,
      stores.movements,
      new LimitLog(db.limitLog),
      accountStore,
      movements,
      holds,
      provider,
      fees,
      options.dailyLimits,
      disputes,
      events,
    ),
    disputes,
    reconciliation: new Reconciliation(accountStore, journal),
    adjustments: new Adjustments(
      stores.adjustments,
      stores.movements,
      journal,
      accountStore,
      movements,
      events,
    ),
  };
}
