// One dashboard per service, all from one template: RED of what it serves (HTTP and/or gRPC), RED of
// the gRPC calls it makes and their breakers, saturation of its process, then its business figures.
// The metrics are the kit's (services/kit/src/metrics.ts, messaging/relay.ts) and each service's own
// (services/<name>/src/**/metrics.ts).
import { dashboard, NOT_PROBES, type Panel, query, type Section, stat, timeseries } from './panels.js';

interface ServiceSpec {
  name: string;
  title: string;
  /** What the service is for, shown under the dashboard title. */
  description: string;
  /** Serves a REST API (the rate limit service serves only probes and metrics over HTTP). */
  http: boolean;
  /** Serves gRPC. */
  grpc: boolean;
  /** Calls other services over gRPC (through a breaker each). */
  callsPeers: boolean;
  /** Publishes through the kit's transactional outbox. */
  outbox: boolean;
  business: Panel[];
}

const rate = (selector: string) => `rate(${selector}[$__rate_interval])`;

function httpSection(s: string): Section {
  const requests = `http_server_requests_total{service="${s}", ${NOT_PROBES}}`;
  const buckets = `http_server_request_duration_seconds_bucket{service="${s}", ${NOT_PROBES}}`;
  return {
    title: 'HTTP API: rate, errors, duration',
    panels: [
      timeseries(
        'Requests per second by route',
        'reqps',
        'REST requests served, by route pattern (probes and scrapes left out).',
        query(`sum by (route) (${rate(requests)})`, '{{route}}'),
      ),
      timeseries(
        'Answers by status',
        'reqps',
        'The same requests by HTTP status: 4xx are refused input, 5xx are failures of the service.',
        query(`sum by (status) (${rate(requests)})`, '{{status}}'),
      ),
      timeseries(
        '5xx share',
        'percentunit',
        'Share of requests answered with a 5xx; ShopStackHighErrorRate fires above 5% for 5 minutes.',
        query(
          `(sum(${rate(`http_server_errors_total{service="${s}"}`)}) or vector(0)) / sum(${rate(requests)})`,
          '5xx',
        ),
      ),
      timeseries(
        'Duration p50 / p99',
        's',
        'Time to answer, over all routes; ShopStackSlowResponses fires when p99 stays above 1 s.',
        query(`histogram_quantile(0.5, sum by (le) (${rate(buckets)}))`, 'p50'),
        query(`histogram_quantile(0.99, sum by (le) (${rate(buckets)}))`, 'p99'),
      ),
      timeseries(
        'Duration p99 by route',
        's',
        'The slowest routes.',
        query(`histogram_quantile(0.99, sum by (route, le) (${rate(buckets)}))`, '{{route}}'),
      ),
    ],
  };
}

function grpcSection(s: string): Section {
  const requests = `grpc_server_requests_total{service="${s}"}`;
  const buckets = `grpc_server_request_duration_seconds_bucket{service="${s}"}`;
  return {
    title: 'gRPC API: rate, errors, duration',
    panels: [
      timeseries(
        'Calls per second by method and code',
        'reqps',
        'gRPC calls served; codes other than OK are answers too (NOT_FOUND, FAILED_PRECONDITION, ...).',
        query(`sum by (method, code) (${rate(requests)})`, '{{method}} {{code}}'),
      ),
      timeseries(
        'Server-side error share',
        'percentunit',
        'Calls that ended in a server-side error status (INTERNAL, UNAVAILABLE, ...); alert above 5%.',
        query(
          `(sum(${rate(`grpc_server_errors_total{service="${s}"}`)}) or vector(0)) / sum(${rate(requests)})`,
          'errors',
        ),
      ),
      timeseries(
        'Duration p99 by method',
        's',
        'Server-side time per call.',
        query(`histogram_quantile(0.99, sum by (method, le) (${rate(buckets)}))`, '{{method}}'),
      ),
    ],
  };
}

function peersSection(s: string): Section {
  return {
    title: 'Calls to other services',
    panels: [
      timeseries(
        'gRPC calls made by downstream and code',
        'reqps',
        'Calls this service makes to its peers, including the ones its breakers refused.',
        query(
          `sum by (downstream, code) (${rate(`grpc_client_requests_total{service="${s}"}`)})`,
          '{{downstream}} {{code}}',
        ),
      ),
      timeseries(
        'gRPC call duration p99 by downstream',
        's',
        'Client-side time per call, retries included.',
        query(
          `histogram_quantile(0.99, sum by (downstream, le) (${rate(`grpc_client_request_duration_seconds_bucket{service="${s}"}`)}))`,
          '{{downstream}}',
        ),
      ),
      timeseries(
        'Circuit breakers (0 closed, 1 half-open, 2 open)',
        'short',
        'An open breaker stops calls to a failing peer; ShopStackCircuitBreakerOpen fires after a minute.',
        query(`max by (downstream) (circuit_breaker_state{service="${s}"})`, '{{downstream}}'),
      ),
    ],
  };
}

function saturationSection(spec: ServiceSpec): Section {
  const s = spec.name;
  const panels = [
    timeseries(
      'CPU (cores)',
      'short',
      'CPU time per second, per replica.',
      query(`sum by (instance) (${rate(`process_cpu_seconds_total{service="${s}"}`)})`, '{{instance}}'),
    ),
    timeseries(
      'Memory',
      'bytes',
      'Resident memory and V8 heap in use, per replica.',
      query(`sum by (instance) (process_resident_memory_bytes{service="${s}"})`, 'resident {{instance}}'),
      query(`sum by (instance) (nodejs_heap_size_used_bytes{service="${s}"})`, 'heap {{instance}}'),
    ),
    timeseries(
      'Event loop lag p99',
      's',
      'How late the event loop runs callbacks: the first sign of a saturated Node process.',
      query(`max by (instance) (nodejs_eventloop_lag_p99_seconds{service="${s}"})`, '{{instance}}'),
    ),
    timeseries(
      'Open handles',
      'short',
      'Sockets, timers and files held open, per replica (a steady climb is a leak).',
      query(`sum by (instance) (nodejs_active_handles_total{service="${s}"})`, '{{instance}}'),
    ),
  ];
  if (spec.outbox) {
    panels.push(
      timeseries(
        'Outbox: oldest unpublished message',
        's',
        'How long the oldest outbox message has waited for the relay (0 when none waits); ShopStackOutboxBacklog fires when it grows.',
        query(`max(outbox_oldest_pending_age_seconds{service="${s}"})`, 'age'),
      ),
    );
  }
  return { title: 'Saturation', panels };
}

function serviceDashboard(spec: ServiceSpec) {
  return dashboard({
    uid: `shopstack-${spec.name}`,
    title: `ShopStack · ${spec.title}`,
    description: spec.description,
    sections: [
      ...(spec.http ? [httpSection(spec.name)] : []),
      ...(spec.grpc ? [grpcSection(spec.name)] : []),
      ...(spec.callsPeers ? [peersSection(spec.name)] : []),
      saturationSection(spec),
      { title: 'Business', panels: spec.business },
    ],
  });
}

/** Requests to one route that ended with one status, per second (0, not "no data", before the first). */
const answered = (service: string, method: string, route: string, status: string) =>
  `sum(${rate(`http_server_requests_total{service="${service}", method="${method}", route=~"${route}", status=~"${status}"}`)}) or vector(0)`;

export const SERVICES: ServiceSpec[] = [
  {
    name: 'users',
    title: 'users',
    description: 'Accounts, sign-in, tokens and the signing keys the edge verifies them with.',
    http: true,
    grpc: true,
    callsPeers: false,
    outbox: true,
    business: [
      timeseries(
        'Sign-ups',
        'reqps',
        'Accounts registered per second.',
        query(answered('users', 'POST', '/api/users/register', '201'), 'registered'),
      ),
      timeseries(
        'Sign-ins: accepted and refused',
        'reqps',
        'A rise in refused sign-ins is guessing; lockouts and the edge rate limit answer it.',
        query(answered('users', 'POST', '/api/users/login', '200'), 'accepted'),
        query(answered('users', 'POST', '/api/users/login', '4..'), 'refused'),
      ),
      timeseries(
        'Email verifications and password resets',
        'reqps',
        'Links followed from the emails notifications sends.',
        query(answered('users', 'GET', '/api/users/verify-email', '2..'), 'verified'),
        query(answered('users', 'POST', '/api/users/password-reset/request', '2..'), 'reset asked'),
      ),
    ],
  },
  {
    name: 'catalog',
    title: 'catalog',
    description: 'Products, prices and stock; reserves, releases and commits stock for the checkout saga.',
    http: true,
    grpc: true,
    callsPeers: false,
    outbox: true,
    business: [
      timeseries(
        'Stock calls by operation and outcome',
        'ops',
        "The saga's stock commands answered, by the reservation state they left.",
        query(
          `sum by (operation, outcome) (${rate('catalog_stock_calls_total{service="catalog"}')})`,
          '{{operation}} → {{outcome}}',
        ),
      ),
      timeseries(
        'Purchases recorded',
        'ops',
        'Product purchases learned from order.completed events.',
        query(`sum(${rate('catalog_purchases_recorded_total{service="catalog"}')})`, 'purchases'),
      ),
      timeseries(
        'Product reads',
        'reqps',
        'Catalog pages and product lookups served.',
        query(answered('catalog', 'GET', '/api/catalog/products.*', '2..'), 'reads'),
      ),
    ],
  },
  {
    name: 'orders',
    title: 'orders',
    description: 'Carts, checkout and the order saga that holds stock and money and confirms or cancels.',
    http: true,
    grpc: true,
    callsPeers: true,
    outbox: true,
    business: [
      timeseries(
        'Checkouts accepted',
        'reqps',
        'Checkouts that started a saga (202).',
        query(answered('orders', 'POST', '/api/orders/checkout', '202'), 'accepted'),
      ),
      timeseries(
        'Orders by status',
        'short',
        'Every order in the read model by its status.',
        query('sum by (status) (orders_orders{service="orders"})', '{{status}}'),
      ),
      timeseries(
        'Cancellations by reason',
        'short',
        'Cancelled orders by why (out of stock, payment declined, ...).',
        query('sum by (reason) (orders_orders{service="orders", status="cancelled"})', '{{reason}}'),
      ),
    ],
  },
  {
    name: 'payments',
    title: 'payments',
    description: 'Wallets and the double-entry journal: top-ups, holds, captures, transfers and withdrawals.',
    http: true,
    grpc: true,
    callsPeers: false,
    outbox: true,
    business: [
      timeseries(
        'Money movements asked for',
        'reqps',
        'Top-ups, transfers and withdrawals accepted (2xx) over HTTP.',
        query(answered('payments', 'POST', '/api/payments/topups', '2..'), 'top-ups'),
        query(answered('payments', 'POST', '/api/payments/transfers', '2..'), 'transfers'),
        query(answered('payments', 'POST', '/api/payments/withdrawals', '2..'), 'withdrawals'),
      ),
      timeseries(
        'Holds and captures by code',
        'reqps',
        "The checkout saga's money steps over gRPC.",
        query(
          `sum by (method, code) (${rate('grpc_server_requests_total{service="payments", method=~".*(Hold|Capture).*"}')})`,
          '{{method}} {{code}}',
        ),
      ),
      stat(
        'Ledger difference (minor units)',
        'short',
        'Balances the journal does not explain; must be 0 (ShopStackLedgerImbalance).',
        query('max(payments_reconciliation_difference_minor{service="payments"})', 'difference'),
        1,
      ),
    ],
  },
  {
    name: 'notifications',
    title: 'notifications',
    description: 'Email, SMS and push from platform events: deliveries with retries, then dead letters.',
    http: true,
    grpc: true,
    callsPeers: true,
    outbox: false,
    business: [
      timeseries(
        'Delivery attempts by channel and outcome',
        'ops',
        'sent, retry (tried again later), dead (gave up), deferred (the provider limit refused before trying).',
        query(
          `sum by (channel, outcome) (${rate('notifications_send_attempts_total{service="notifications"}')})`,
          '{{channel}} {{outcome}}',
        ),
      ),
      timeseries(
        'Backlog by channel',
        'short',
        'Deliveries waiting to be sent.',
        query('max by (channel) (notifications_backlog_pending{service="notifications"})', '{{channel}}'),
      ),
      timeseries(
        'Oldest waiting delivery by channel',
        's',
        'Age of the oldest delivery still waiting (0 when none waits).',
        query(
          'max by (channel) (notifications_backlog_oldest_seconds{service="notifications"})',
          '{{channel}}',
        ),
      ),
      timeseries(
        'Webhook attempts by answer',
        'ops',
        "POSTs to third parties' endpoints by what they answered; no_response is unreachable, timed out or refused by the target policy.",
        query(
          `sum by (result) (${rate('notifications_webhook_attempts_total{service="notifications"}')})`,
          '{{result}}',
        ),
      ),
      timeseries(
        'Webhook deliveries ended, endpoints failing and disabled',
        'short',
        'Deliveries delivered or failed (retries exhausted) and endpoints disabled automatically, per 5 minutes; endpoints failing every delivery now (ShopStackWebhookEndpointsFailing after an hour).',
        query(
          'sum by (outcome) (increase(notifications_webhook_deliveries_total{service="notifications"}[5m]))',
          '{{outcome}}',
        ),
        query(
          'sum by (reason) (increase(notifications_webhook_endpoints_disabled_total{service="notifications"}[5m]))',
          'disabled: {{reason}}',
        ),
        query('max(notifications_webhook_endpoints_failing{service="notifications"})', 'failing now'),
      ),
    ],
  },
  {
    name: 'ratelimit',
    title: 'rate limit service',
    description:
      "The edge's global rate limits: Envoy asks it per request (ratelimit.v3 over gRPC), it counts in Redis.",
    http: false,
    grpc: true,
    callsPeers: false,
    outbox: false,
    business: [
      timeseries(
        'Decisions by route class and outcome',
        'ops',
        'Descriptors judged: ok or over_limit, by route class and what they count against (client, user).',
        query(
          `sum by (route_class, key, code) (${rate('ratelimit_decisions_total{service="ratelimit"}')})`,
          '{{route_class}} {{key}} {{code}}',
        ),
      ),
      timeseries(
        'Over-limit share',
        'percentunit',
        'Share of descriptors refused.',
        query(
          `(sum(${rate('ratelimit_decisions_total{service="ratelimit", code="over_limit"}')}) or vector(0)) / sum(${rate('ratelimit_decisions_total{service="ratelimit"}')})`,
          'over limit',
        ),
      ),
    ],
  },
];

export const serviceDashboards = () => SERVICES.map(serviceDashboard);
