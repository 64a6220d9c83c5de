// /api/payments/accounts: open, list, balance, statement. Only the signed-in user's own accounts.
import type { HttpRoutes } from '@shopstack/kit';
import { z } from 'zod';
import type { PaymentsApp } from '../../app/payments.js';
import { accountView, entryView, openedAccountView } from '../views.js';
import { accountParams, currencySchema } from './schemas.js';

export function accountRoutes(routes: HttpRoutes, app: PaymentsApp, currencies: readonly string[]): void {
  routes.post(
    '/api/payments/accounts',
    {
      summary: 'Open an account in a currency (opening it again returns the same account)',
      tags: ['accounts'],
      auth: true,
      body: z.object({ currency: currencySchema(currencies) }).strict(),
      idempotencyKey: true,
      responses: { 201: { description: 'The account' }, 400: { description: 'Invalid input' } },
    },
    async ({ body, user }) => {
      const account = await app.accounts.open(user.id, body.currency);
      return { status: 201, body: openedAccountView(account) };
    },
  );

  routes.get(
    '/api/payments/accounts',
    {
      summary: 'My accounts with their balances',
      tags: ['accounts'],
      auth: true,
      responses: { 200: { description: 'Accounts' } },
    },
    async ({ user }) => ({ body: { accounts: (await app.accounts.list(user.id)).map(accountView) } }),
  );

  routes.get(
    '/api/payments/accounts/:accountId',
    {
      summary: 'Balance of one of my accounts: balance, held by authorizations, available',
      tags: ['accounts'],
      auth: true,
      params: accountParams,
      responses: { 200: { description: 'Balance' }, 404: { description: 'No such account of yours' } },
    },
    async ({ params, user }) => ({
      body: accountView(await app.accounts.balance(user.id, params.accountId)),
    }),
  );

  routes.get(
    '/api/payments/accounts/:accountId/statement',
    {
      summary: 'Journal entries of one of my accounts, newest first; page with beforeSeq',
      tags: ['accounts'],
      auth: true,
      params: accountParams,
      query: z
        .object({
          limit: z.coerce.number().int().min(1).max(200).default(50),
          beforeSeq: z.coerce.number().int().min(1).optional(),
        })
        .strict(),
      responses: { 200: { description: 'Statement page' }, 404: { description: 'No such account of yours' } },
    },
    async ({ params, query, user }) => {
      const page = await app.accounts.statement(user.id, params.accountId, query.beforeSeq, query.limit);
      return {
        body: {
          entries: page.entries.map(entryView),
          ...(page.nextBeforeSeq ? { nextBeforeSeq: page.nextBeforeSeq } : {}),
        },
      };
    },
  );
}
