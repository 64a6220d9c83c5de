// The reconciliation job: recomputes every account's balance from its journal deltas and compares it
// with the running balance the entries carry, checks the sequence has no gaps and that no customer's
// available funds are negative. Differences are reported, never fixed silently: a metric per currency
// and one log line per problem.
// It also sums each currency's balances, which double entry keeps at zero (the clearing account mirrors
// all money that came in from outside) once every movement has finished; while movements are in flight
// (a debit applied, its credit not yet) the sum is their amount, so it is reported apart as "imbalance".
import type { Accounts } from '../adapters/accounts.js';
import type { Journal } from '../adapters/journal.js';
import { allowsOverdraft } from '../domain/ids.js';
import { checkChain } from '../domain/reconcile.js';

export interface ReconciliationReport {
  accounts: number;
  /** Per currency: sum of |recomputed − recorded| over accounts; 0 when the journal is consistent. */
  differenceByCurrency: Map<string, bigint>;
  /** Per currency: the sum of all balances; 0 when no movement is in flight. */
  imbalanceByCurrency: Map<string, bigint>;
  problems: { accountId: string; problem: string }[];
}

export class Reconciliation {
  constructor(
    private readonly accounts: Accounts,
    private readonly journal: Journal,
  ) {}

  async run(): Promise<ReconciliationReport> {
    const report: ReconciliationReport = {
      accounts: 0,
      differenceByCurrency: new Map(),
      imbalanceByCurrency: new Map(),
      problems: [],
    };
    const add = (map: Map<string, bigint>, currency: string, amount: bigint) =>
      map.set(currency, (map.get(currency) ?? 0n) + amount);
    for await (const account of this.accounts.all()) {
      report.accounts++;
      const entries = [];
      for await (const entry of this.journal.all(account._id)) entries.push(entry);
      const chain = checkChain(entries, allowsOverdraft(account._id));
      add(report.imbalanceByCurrency, account.currency, chain.balance);
      add(report.differenceByCurrency, account.currency, abs(chain.balanceDifference));
      for (const problem of chain.problems) report.problems.push({ accountId: account._id, problem });
    }
    return report;
  }
}

const abs = (n: bigint) => (n < 0n ? -n : n);
