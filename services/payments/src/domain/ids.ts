// Identifiers derived from what makes a request unique. A retried request with the same idempotency
// key maps to the same document id, so the unique _id index turns "did this already happen?" into a
// single insert that either succeeds or reports the first attempt.
import { createHash } from 'node:crypto';

function digest(...parts: string[]): string {
  // A separator that cannot occur in the parts keeps ("a|b","c") and ("a","b|c") apart.
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}

export type OperationKind =
  | 'transfer'
  | 'hold'
  | 'refund'
  | 'topup'
  | 'withdrawal'
  | 'dispute'
  | 'adjustment';

export function operationId(kind: OperationKind, scope: string, idempotencyKey: string): string {
  return `${kind.slice(0, 3)}_${digest(kind, scope, idempotencyKey)}`;
}

export function customerAccountId(userId: string, currency: string): string {
  return `acc_${digest('account', userId, currency)}`;
}

export type SystemAccountKind = 'clearing' | 'fees' | 'sales' | 'cashback' | 'chargebacks' | 'adjustments';

/**
 * Platform-owned accounts per currency: clearing mirrors money outside, fees and sales are revenue,
 * cashback pays the customers' cashback and chargebacks the disputed top-ups a customer could not
 * cover (both are the shop's expenses, so their balance is what it spent: negative); adjustments
 * balances the back office's corrections (its balance is what the shop gave minus what it took back).
 * Each is split into shards: every transfer credits the fee account, so a single one would make all
 * transfers contend for one journal sequence. An operation picks its shard from its own id, and
 * records the account id it used, so the shard count can change without moving history.
 */
export const SYSTEM_ACCOUNT_SHARDS = 8;

export function systemAccountId(kind: SystemAccountKind, currency: string, shard = 0): string {
  return `sys_${kind}_${currency}_${shard}`;
}

export function shardFor(operationId: string): number {
  return createHash('sha256').update(operationId).digest().readUInt32BE(0) % SYSTEM_ACCOUNT_SHARDS;
}

export function isSystemAccount(accountId: string): boolean {
  return accountId.startsWith('sys_');
}

/** Clearing mirrors money outside; cashback, chargebacks and adjustments count what the shop spent. */
export function allowsOverdraft(accountId: string): boolean {
  return /^sys_(clearing|cashback|chargebacks|adjustments)_/.test(accountId);
}

/** A fingerprint of a request's arguments, to refuse an idempotency key reused for something else. */
export function fingerprint(value: Record<string, string | number | bigint | undefined>): string {
  const canonical = Object.keys(value)
    .sort()
    .map((k) => `${k}=${String(value[k] ?? '')}`)
    .join('&');
  return digest('fingerprint', canonical);
}
