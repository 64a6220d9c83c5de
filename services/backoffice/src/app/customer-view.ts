// The one-customer view: everything support needs about one person, assembled over gRPC from the
// services that own it — profile and role (users), sessions and audit trail (users), orders with
// their saga's state (orders), accounts, recent statement entries and adjustments (payments),
// notification deliveries (notifications). The owners are asked at once; one that is down leaves its
// sections out and is named in `unavailable`, so an outage elsewhere never hides the rest.
import { AppError } from '@shopstack/kit';
import { ask, type Owners } from '../adapters/owners.js';
import { adjustmentView, orderView, userView } from './views.js';

const RECENT = 20;

export async function customerView(owners: Owners, userId: string) {
  const users = () => owners.client('users');
  const { user } = await ask('users', users().getUser({ id: userId }), { NOT_FOUND: 'customer-not-found' });
  if (!user) throw new AppError('not_found', 'customer-not-found', `no user ${userId}`);

  const unavailable: string[] = [];
  const section = async <T>(owner: string, load: () => Promise<T>): Promise<T | null> => {
    try {
      return await load();
    } catch (error) {
      if (error instanceof AppError && error.kind !== 'unavailable') throw error;
      unavailable.push(owner);
      return null;
    }
  };

  const [identity, orders, money, notifications] = await Promise.all([
    section('users', async () => {
      const [sessions, audit] = await Promise.all([
        ask('users', users().listSessions({ userId })),
        ask('users', users().getAuditTrail({ userId, limit: 50, beforeId: '' })),
      ]);
      return {
        sessions: sessions.sessions.map((s) => ({
          id: s.id,
          createdAt: s.createdAt,
          lastRefreshedAt: s.lastRefreshedAt || null,
          revokedAt: s.revokedAt || null,
          revokedReason: s.revokedReason || null,
          active: s.revokedAt === '',
        })),
        auditTrail: audit.entries.map((e) => ({
          id: e.id,
          at: e.occurredAt,
          event: e.event,
          actorId: e.actorId || null,
          ip: e.ip || null,
          details: JSON.parse(e.detailsJson) as unknown,
        })),
      };
    }),
    section('orders', async () => {
      const client = owners.client('orders');
      const page = await ask('orders', client.listOrders({ userId, pageSize: RECENT, pageToken: '' }));
      return Promise.all(
        page.orders.map(async (order) => {
          const { saga } = await ask('orders', client.getOrder({ orderId: order.orderId, asOf: '' }));
          return orderView(order, saga);
        }),
      );
    }),
    section('payments', async () => {
      const client = owners.client('payments');
      const [{ accounts }, { adjustments }] = await Promise.all([
        ask('payments', client.listAccounts({ userId })),
        ask('payments', client.listAdjustments({ userId })),
      ]);
      const withStatements = await Promise.all(
        accounts.map(async (account) => {
          const { entries } = await ask(
            'payments',
            client.getStatement({ accountId: account.accountId, limit: RECENT, beforeSeq: 0 }),
          );
          return {
            id: account.accountId,
            currency: account.currency,
            balanceMinor: account.balanceMinor,
            heldMinor: account.heldMinor,
            availableMinor: account.availableMinor,
            statement: entries.map((e) => ({
              seq: e.seq,
              kind: e.kind,
              outcome: e.outcome,
              amountMinor: e.amountMinor,
              balanceMinor: e.balanceMinor,
              reference: e.reference,
              at: e.at,
            })),
          };
        }),
      );
      return { accounts: withStatements, adjustments: adjustments.map(adjustmentView) };
    }),
    section('notifications', async () => {
      const { deliveries } = await ask(
        'notifications',
        owners.client('notifications').listDeliveries({ userId, limit: RECENT }),
      );
      return deliveries.map((d) => ({
        id: d.id,
        channel: d.channel,
        template: d.template,
        status: d.status,
        attempts: d.attempts,
        lastError: d.lastError || null,
        createdAt: d.createdAt,
        sentAt: d.sentAt || null,
      }));
    }),
  ]);

  return {
    profile: userView(user),
    sessions: identity?.sessions ?? null,
    orders,
    accounts: money?.accounts ?? null,
    adjustments: money?.adjustments ?? null,
    deliveries: notifications,
    auditTrail: identity?.auditTrail ?? null,
    unavailable,
  };
}
