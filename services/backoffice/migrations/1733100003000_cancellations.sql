-- Up Migration

-- Cancelled checkouts (no money taken: they count for the decline-rate rule, never for revenue),
-- with the reason orders gave.
alter table rpt_money drop constraint rpt_money_kind_check;
alter table rpt_money add constraint rpt_money_kind_check check (kind in ('capture', 'refund', 'topup',
  'withdrawal', 'fee', 'cashback', 'chargeback', 'hold_placed', 'hold_released', 'payment_failed',
  'order_cancelled'));
alter table rpt_money add column reason text;
