// Feeding the reporting store from integration events, each through the kit's inbox (the insert and
// the "handled" mark commit together; every insert also ignores a row it already has, so an event
// replayed from a dead-letter queue after its inbox id was purged still counts once).
import type { IncomingMessage, PoolClient } from '@shopstack/kit';
import {
  type OrderCompleted,
  orderCancelled,
  orderCompleted,
  orderPaymentFailed,
  orderRefunded,
  type RepairRecorded,
  repairRecorded,
} from '@shopstack/proto/messages';
import { orderLineRows } from '../domain/order-lines.js';
import { type MoneyRow, PAYMENT_EVENTS, paymentMoneyRows } from '../domain/payment-rows.js';

/** The event types the reporting store reads (the routing keys its queue is bound to). */
export const REPORTED_EVENTS = [
  orderCompleted.type,
  orderPaymentFailed.type,
  orderCancelled.type,
  orderRefunded.type,
  ...PAYMENT_EVENTS,
  repairRecorded.type,
] as const;

export async function applyReportingEvent(client: PoolClient, message: IncomingMessage): Promise<void> {
  switch (message.type) {
    case orderCompleted.type:
      return orderWasCompleted(client, message.id, orderCompleted.parse(message.payload));
    case orderPaymentFailed.type: {
      const event = orderPaymentFailed.parse(message.payload);
      await insertMoney(client, {
        eventId: message.id,
        kind: 'payment_failed',
        userId: event.userId,
        reference: event.orderId,
        amountMinor: event.totalMinor,
        currency: event.currency,
        occurredAt: new Date(),
      });
      return;
    }
    case orderRefunded.type: {
      const event = orderRefunded.parse(message.payload);
      await insertMoney(client, {
        eventId: `refund:${event.refundId}`,
        kind: 'refund',
        userId: event.userId,
        reference: event.orderId,
        amountMinor: event.amountMinor,
        currency: event.currency,
        occurredAt: new Date(),
      });
      return;
    }
    case orderCancelled.type: {
      const event = orderCancelled.parse(message.payload);
      await insertMoney(client, {
        eventId: `cancel:${event.orderId}`,
        kind: 'order_cancelled',
        userId: event.userId,
        reference: event.orderId,
        amountMinor: event.totalMinor,
        currency: event.currency,
        occurredAt: new Date(),
        reason: event.reason,
      });
      return;
    }
    case repairRecorded.type: {
      const repair = repairRecorded.parse(message.payload);
      await recordRepair(client, repair);
      // A repair that moved money (a ledger adjustment) counts in the finance report too.
      if (repair.money) await recordRepairMoney(client, repair, repair.money);
      return;
    }
    default:
      // payments' events are money rows only; a type this store does not report on is acknowledged
      // and ignored.
      for (const row of paymentMoneyRows(message.type, message.payload) ?? []) await insertMoney(client, row);
      return;
  }
}

/** Every repair, for the repairs report (once per repair id, however often it is told). */
async function recordRepair(client: PoolClient, repair: RepairRecorded): Promise<void> {
  await client.query(
    `insert into rpt_repairs (repair_id, kind, service, subject_id, actor_id, approved_by, reason, at)
     values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (repair_id) do nothing`,
    [
      repair.repairId,
      repair.kind,
      repair.service,
      repair.subjectId,
      repair.actorId,
      repair.approvedBy ?? null,
      repair.reason,
      repair.at,
    ],
  );
}

/** Credits and debits as two kinds, each with a positive amount, once per repair id. */
async function recordRepairMoney(
  client: PoolClient,
  repair: RepairRecorded,
  money: NonNullable<RepairRecorded['money']>,
): Promise<void> {
  const amount = BigInt(money.amountMinor);
  await insertMoney(client, {
    eventId: `repair:${repair.repairId}`,
    kind: amount < 0n ? 'adjustment_debit' : 'adjustment_credit',
    userId: money.userId,
    reference: repair.repairId,
    amountMinor: String(amount < 0n ? -amount : amount),
    currency: money.currency,
    occurredAt: new Date(repair.at),
    reason: repair.reason,
  });
}

async function orderWasCompleted(client: PoolClient, eventId: string, event: OrderCompleted): Promise<void> {
  const inserted = await client.query(
    `insert into rpt_orders (order_id, user_id, total_minor, currency, completed_at)
     values ($1, $2, $3, $4, $5) on conflict (order_id) do nothing`,
    [event.orderId, event.userId, event.totalMinor, event.currency, event.completedAt],
  );
  if (inserted.rowCount !== 1) return; // the same order told twice (another message id)
  await client.query(
    `insert into rpt_order_lines (order_id, line_no, user_id, product_id, quantity, unit_price_minor,
       currency, category_id, category_name, completed_at)
     select $1, e.n, $2, e.line->>'product_id', (e.line->>'quantity')::int,
            (e.line->>'unit_price_minor')::bigint, e.line->>'currency', e.line->>'category_id',
            e.line->>'category_name', $3
       from jsonb_array_elements($4::jsonb) with ordinality as e(line, n)`,
    [event.orderId, event.userId, event.completedAt, JSON.stringify(orderLineRows(event))],
  );
  await insertMoney(client, {
    eventId,
    kind: 'capture',
    userId: event.userId,
    reference: event.orderId,
    amountMinor: event.totalMinor,
    currency: event.currency,
    occurredAt: new Date(event.completedAt),
  });
}

export async function insertMoney(client: PoolClient, row: MoneyRow): Promise<void> {
  await client.query(
    `insert into rpt_money (event_id, kind, user_id, reference, amount_minor, currency, occurred_at, reason)
     values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (event_id) do nothing`,
    [
      row.eventId,
      row.kind,
      row.userId,
      row.reference,
      row.amountMinor,
      row.currency,
      row.occurredAt,
      row.reason ?? null,
    ],
  );
}
