// Dashboards that follow one flow across services: the checkout saga (orders ↔ catalog ↔ payments
// over the broker and gRPC) and the ledger (payments' journal and its reconciliation).
import { dashboard, query, stat, timeseries } from './panels.js';

const rate = (selector: string) => `rate(${selector}[$__rate_interval])`;

export const sagaDashboard = () =>
  dashboard({
    uid: 'shopstack-checkout-saga',
    title: 'ShopStack · checkout saga',
    description:
      'One checkout: orders reserves stock (catalog, over the broker), holds and captures money (payments, gRPC), then commits the stock and confirms — or undoes what it did and cancels.',
    sections: [
      {
        title: 'Checkouts and their outcome',
        panels: [
          timeseries(
            'Checkouts accepted',
            'reqps',
            'POST /api/orders/checkout answered 202: a saga started.',
            query(
              `sum(${rate('http_server_requests_total{service="orders", route="/api/orders/checkout", status="202"}')})`,
              'accepted',
            ),
          ),
          timeseries(
            'Orders by status',
            'short',
            'Every order by status (from the read model).',
            query('sum by (status) (orders_orders{service="orders"})', '{{status}}'),
          ),
          timeseries(
            'Cancellations by reason',
            'short',
            'Why sagas ended in a cancellation.',
            query('sum by (reason) (orders_orders{service="orders", status="cancelled"})', '{{reason}}'),
          ),
        ],
      },
      {
        title: 'Saga engine',
        panels: [
          timeseries(
            'Steps run by step and outcome',
            'ops',
            'Saga steps the engine ran; retry means the step will be tried again later.',
            query(
              `sum by (step, outcome) (${rate('orders_saga_steps_total{service="orders"}')})`,
              '{{step}} {{outcome}}',
            ),
          ),
          timeseries(
            'Sagas in flight by step',
            'short',
            'Unfinished sagas by the step they wait in (0 when all are done); a growing hold_funds means payments is in trouble.',
            query('sum by (step) (orders_sagas_unfinished{service="orders"}) or on () vector(0)', '{{step}}'),
          ),
          stat(
            'Overdue sagas',
            'short',
            'Unfinished sagas more than a minute late: the engine is stuck or down (ShopStackCheckoutsStuck).',
            query('max(orders_sagas_overdue{service="orders"})', 'overdue'),
            1,
          ),
        ],
      },
      {
        title: 'Stock (catalog, over the broker)',
        panels: [
          timeseries(
            'Stock commands by operation and outcome',
            'ops',
            'reserve / release / commit answered by catalog, by the reservation state they left.',
            query(
              `sum by (operation, outcome) (${rate('catalog_stock_calls_total{service="catalog"}')})`,
              '{{operation}} → {{outcome}}',
            ),
          ),
          timeseries(
            'Outbox: oldest unpublished message',
            's',
            'The commands and replies wait in each side’s outbox until the relay publishes them.',
            query(
              'max by (service) (outbox_oldest_pending_age_seconds{service=~"orders|catalog"})',
              '{{service}}',
            ),
          ),
          timeseries(
            'Purchases recorded',
            'ops',
            'order.completed events turned into purchases by catalog: the end of a confirmed saga.',
            query(`sum(${rate('catalog_purchases_recorded_total{service="catalog"}')})`, 'purchases'),
          ),
        ],
      },
      {
        title: 'Money (payments, over gRPC)',
        panels: [
          timeseries(
            'Holds and captures by code',
            'reqps',
            'AuthorizeHold, CaptureHold and VoidHold as payments answered them.',
            query(
              `sum by (method, code) (${rate('grpc_server_requests_total{service="payments", method=~".*Hold"}')})`,
              '{{method}} {{code}}',
            ),
          ),
          timeseries(
            'orders → payments call duration p99',
            's',
            'As the saga sees it, retries included.',
            query(
              `histogram_quantile(0.99, sum by (method, le) (${rate('grpc_client_request_duration_seconds_bucket{service="orders", downstream="payments"}')}))`,
              '{{method}}',
            ),
          ),
          timeseries(
            'orders → payments breaker (0 closed, 2 open)',
            'short',
            'While open, holds wait in the saga instead of piling onto a failing payments.',
            query('max(circuit_breaker_state{service="orders", downstream="payments"})', 'breaker'),
          ),
        ],
      },
    ],
  });

export const ledgerDashboard = () =>
  dashboard({
    uid: 'shopstack-ledger',
    title: 'ShopStack · ledger',
    description:
      "Payments' double-entry journal: reconciliation recomputes every balance from the journal; any difference is money created or lost.",
    sections: [
      {
        title: 'Reconciliation',
        panels: [
          stat(
            'Balance difference (minor units)',
            'short',
            '|balance recomputed from the journal − recorded balance| summed over accounts; must be 0 (ShopStackLedgerImbalance).',
            query('max(payments_reconciliation_difference_minor{service="payments"})', 'difference'),
            1,
          ),
          stat(
            'Journal problems',
            'short',
            'Problems the last reconciliation run found (gaps, bad running balances).',
            query('max(payments_reconciliation_problems{service="payments"})', 'problems'),
            1,
          ),
          stat(
            'Runs in the last hour',
            'short',
            'Reconciliation runs; none means the job stopped.',
            query('sum(increase(payments_reconciliation_runs_total{service="payments"}[1h]))', 'runs'),
          ),
          timeseries(
            'Difference by currency',
            'short',
            'Minor units per currency the journal does not explain.',
            query(
              'max by (currency) (payments_reconciliation_difference_minor{service="payments"})',
              '{{currency}}',
            ),
          ),
          timeseries(
            'Sum of balances by currency',
            'short',
            'All balances per currency add up to 0 in double entry, apart from movements in flight.',
            query(
              'max by (currency) (payments_reconciliation_imbalance_minor{service="payments"})',
              '{{currency}}',
            ),
          ),
          timeseries(
            'Recovery operations',
            'ops',
            'Half-done operations the recovery job drove forward (after a crash or a lost reply).',
            query(`sum(${rate('payments_recovery_operations_total{service="payments"}')})`, 'recovered'),
          ),
        ],
      },
      {
        title: 'Movements',
        panels: [
          timeseries(
            'Top-ups, transfers and withdrawals',
            'reqps',
            'Money movements asked for over HTTP, by route and status.',
            query(
              `sum by (route, status) (${rate('http_server_requests_total{service="payments", method="POST", route=~"/api/payments/(topups|transfers|withdrawals)"}')})`,
              '{{route}} {{status}}',
            ),
          ),
          timeseries(
            'Holds and captures by code',
            'reqps',
            "The checkout saga's money steps over gRPC.",
            query(
              `sum by (method, code) (${rate('grpc_server_requests_total{service="payments", method=~".*Hold"}')})`,
              '{{method}} {{code}}',
            ),
          ),
          timeseries(
            'Provider webhooks',
            'reqps',
            'Payment provider callbacks by status: 4xx are unsigned, forged, stale or replayed ones.',
            query(
              `sum by (status) (${rate('http_server_requests_total{service="payments", route=~"/api/payments/webhooks/.*"}')}) or on () vector(0)`,
              '{{status}}',
            ),
          ),
        ],
      },
    ],
  });
