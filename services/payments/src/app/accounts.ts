// Customers' accounts: open one per currency, list them, read balances and statements. Every read
// checks ownership; an account of someone else is reported as not found, so ids cannot be probed.
import type { Accounts } from '../adapters/accounts.js';
import type { AccountDoc, JournalDoc } from '../adapters/documents.js';
import type { Journal } from '../adapters/journal.js';
import { available } from '../domain/ledger.js';
import { notFound } from './errors.js';

export interface BalanceView {
  account: AccountDoc;
  balance: bigint;
  held: bigint;
  available: bigint;
  seq: number;
}

export class AccountQueries {
  constructor(
    private readonly accounts: Accounts,
    private readonly journal: Journal,
  ) {}

  open(userId: string, currency: string): Promise<AccountDoc> {
    return this.accounts.open(userId, currency);
  }

  async list(userId: string): Promise<BalanceView[]> {
    const mine = await this.accounts.listForUser(userId);
    return Promise.all(mine.map((account) => this.balanceOf(account)));
  }

  async balance(userId: string, accountId: string): Promise<BalanceView> {
    return this.balanceOf(await this.owned(userId, accountId));
  }

  /** The balance of a user's account in a currency, or undefined if they never opened one. */
  async balanceByCurrency(userId: string, currency: string): Promise<BalanceView | undefined> {
    const account = await this.accounts.findCustomer(userId, currency);
    return account ? this.balanceOf(account) : undefined;
  }

  async statement(userId: string, accountId: string, beforeSeq: number | undefined, limit: number) {
    await this.owned(userId, accountId);
    const entries: JournalDoc[] = await this.journal.page(accountId, beforeSeq, limit);
    const last = entries.at(-1);
    return { entries, nextBeforeSeq: entries.length === limit && last ? last.seq : undefined };
  }

  private async owned(userId: string, accountId: string): Promise<AccountDoc> {
    const account = await this.accounts.get(accountId);
    if (!account || account.userId !== userId) throw notFound('account');
    return account;
  }

  private async balanceOf(account: AccountDoc): Promise<BalanceView> {
    const state = await this.journal.state(account._id);
    return { account, balance: state.balance, held: state.held, available: available(state), seq: state.seq };
  }
}
