// Input schemas shared by the HTTP routes. Amounts are integer minor units, as a JSON integer (up to
// 2^53 - 1) or a decimal string, and must be between 1 and MAX_AMOUNT.
import { z } from 'zod';
import { isMovableAmount, MAX_AMOUNT, parseMinor } from '../../domain/money.js';

export const amountSchema = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const amount = parseMinor(value);
  if (amount === undefined || !isMovableAmount(amount)) {
    ctx.addIssue({ code: 'custom', message: `an integer number of minor units from 1 to ${MAX_AMOUNT}` });
    return z.NEVER;
  }
  return amount;
});

export function currencySchema(supported: readonly string[]) {
  return z
    .string()
    .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR')
    .refine((code) => supported.includes(code), `one of ${supported.join(', ')}`);
}

export const userIdSchema = z.string().min(1).max(128);
export const tokenSchema = z.string().regex(/^tok_[A-Za-z0-9_]{1,60}$/, 'a card token such as tok_visa');
export const accountParams = z.object({ accountId: z.string().regex(/^acc_[0-9a-f]{32}$/, 'an account id') });
export const idParams = z.object({ id: z.string().min(1).max(80) });
