-- Up Migration

-- Ledger adjustments (four-eyes repairs in payments, told by repair.recorded): credits the shop gave
-- and debits it took back, each counted with a positive amount like every other kind.
alter table rpt_money drop constraint rpt_money_kind_check;
alter table rpt_money add constraint rpt_money_kind_check check (kind in ('capture', 'refund', 'topup',
  'withdrawal', 'fee', 'cashback', 'chargeback', 'hold_placed', 'hold_released', 'payment_failed',
  'order_cancelled', 'adjustment_credit', 'adjustment_debit'));
