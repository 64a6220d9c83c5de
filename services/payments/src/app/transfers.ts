// P2P transfers between two customers' accounts in one currency, with the configured transfer fee.
import type { Accounts } from '../adapters/accounts.js';
import type { MovementDoc } from '../adapters/documents.js';
import type { MovementStore } from '../adapters/operation-stores.js';
import type { FeeSchedule } from '../domain/fees.js';
import { allowsOverdraft, fingerprint, operationId } from '../domain/ids.js';
import { checkLegs, transferLegs } from '../domain/movement.js';
import { idempotencyConflict, notFound, unprocessable } from './errors.js';
import type { MovementRunner } from './movements.js';

export interface TransferCommand {
  userId: string;
  idempotencyKey: string;
  currency: string;
  toUserId: string;
  amount: bigint;
}

export class Transfers {
  constructor(
    private readonly movements: MovementStore,
    private readonly accounts: Accounts,
    private readonly runner: MovementRunner,
    private readonly fees: FeeSchedule,
  ) {}

  async transfer(command: TransferCommand): Promise<MovementDoc> {
    const { userId, currency, toUserId, amount } = command;
    if (toUserId === userId) throw unprocessable('same-account', 'toUserId', 'cannot transfer to yourself');
    const [from, to] = await Promise.all([
      this.accounts.findCustomer(userId, currency),
      this.accounts.findCustomer(toUserId, currency),
    ]);
    if (!from) throw unprocessable('no-account', 'currency', `you have no ${currency} account`);
    if (!to)
      throw unprocessable('recipient-has-no-account', 'toUserId', `the recipient has no ${currency} account`);
    const id = operationId('transfer', userId, command.idempotencyKey);
    const feesAccount = await this.accounts.system('fees', currency, id);
    const { legs, fee } = transferLegs(from._id, to._id, feesAccount._id, amount, this.fees.transfer);
    checkLegs(legs, { overdraft: allowsOverdraft });
    const now = new Date();
    const result = await this.movements.create({
      _id: id,
      kind: 'transfer',
      ownerId: userId,
      currency,
      amount,
      fee,
      legs,
      status: 'pending',
      fingerprint: fingerprint({ kind: 'transfer', currency, to: to._id, amount }),
      createdAt: now,
      updatedAt: now,
    });
    if (result.kind === 'conflict') throw idempotencyConflict();
    return this.runner.drive(result.doc);
  }

  /** A transfer is visible to its sender and its receiver only. */
  async get(userId: string, transferId: string): Promise<MovementDoc> {
    const movement = await this.movements.getOfKind(transferId, 'transfer');
    if (!movement) throw notFound('transfer');
    const receiver = movement.legs[1]?.accountId;
    const owns =
      movement.ownerId === userId || (receiver && (await this.accounts.get(receiver))?.userId === userId);
    if (!owns) throw notFound('transfer');
    return movement;
  }
}
