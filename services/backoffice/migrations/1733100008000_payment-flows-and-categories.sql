-- Up Migration

-- Payments' cashback, chargebacks and holds (payment.cashback_paid, payment.refunded's cashback share,
-- payment.chargeback_opened / _closed, payment.hold_placed / _closed). Every kind counts with a
-- positive amount; a hold's close names how it ended, and holds outstanding at the end of a day are
-- the holds placed before it without a close before it (found by the hold's id, `reference`).
alter table rpt_money drop constraint rpt_money_kind_check;
alter table rpt_money add constraint rpt_money_kind_check check (kind in ('capture', 'refund', 'topup',
  'withdrawal', 'fee', 'cashback', 'cashback_reversed', 'chargeback', 'chargeback_won',
  'chargeback_lost', 'hold_placed', 'hold_released', 'hold_captured', 'hold_voided', 'hold_expired',
  'payment_failed', 'order_cancelled', 'adjustment_credit', 'adjustment_debit'));
create index rpt_money_holds_placed on rpt_money (occurred_at) where kind = 'hold_placed';
create index rpt_money_holds_closed on rpt_money (reference)
  where kind in ('hold_captured', 'hold_voided', 'hold_expired');

-- The product's catalog category at checkout, as order.completed tells it (null: none, or an event
-- from before orders told it; the sales report shows those as 'uncategorised').
alter table rpt_order_lines add column category_id text;
