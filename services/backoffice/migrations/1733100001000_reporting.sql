-- Up Migration

-- The reporting store: the read side of orders and payments, fed only by their integration events
-- (through the kit's inbox, so a redelivered event changes nothing). It owns this schema; no report
-- reads another service's tables. received_at is when the event was applied here: a report counts
-- what had arrived when it was requested, so regenerating it (after a crash) gives the same file.

create table rpt_order_lines (
  order_id text not null,
  line_no integer not null,
  user_id text not null,
  product_id text not null,
  quantity integer not null check (quantity > 0),
  unit_price_minor bigint not null,
  currency char(3) not null,
  completed_at timestamptz not null,
  received_at timestamptz not null default now(),
  primary key (order_id, line_no)
);
create index rpt_order_lines_by_time on rpt_order_lines (completed_at);

create table rpt_orders (
  order_id text primary key,
  user_id text not null,
  total_minor bigint not null,
  currency char(3) not null,
  completed_at timestamptz not null,
  received_at timestamptz not null default now()
);
create index rpt_orders_by_time on rpt_orders (completed_at);
create index rpt_orders_by_user on rpt_orders (user_id, completed_at);

-- Money movements as the events tell them: captures (an order paid), refunds, top-ups, withdrawals,
-- fees, cashback, chargebacks, holds placed and released. One row per event (its message id).
create table rpt_money (
  event_id text primary key,
  kind text not null check (kind in ('capture', 'refund', 'topup', 'withdrawal', 'fee', 'cashback',
    'chargeback', 'hold_placed', 'hold_released', 'payment_failed')),
  user_id text,
  reference text,
  amount_minor bigint not null,
  currency char(3) not null,
  occurred_at timestamptz not null,
  received_at timestamptz not null default now()
);
create index rpt_money_by_time on rpt_money (occurred_at);

-- Generated report files, kept until expires_at (REPORT_RETENTION_DAYS), then deleted by retention.
create table report_files (
  job_id uuid not null references jobs (id) on delete cascade,
  format text not null check (format in ('csv', 'json')),
  content text not null,
  sha256 text not null,
  bytes integer not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  primary key (job_id, format)
);
create index report_files_expiry on report_files (expires_at);
