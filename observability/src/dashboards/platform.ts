// The platform's own parts: the Envoy edge (its own statistics, scraped from the ops listener's
// /stats/prometheus), the operator (operator/src/runtime/metrics.ts) and an overview of all services.
import { QueryVariableBuilder, VariableRefresh } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboard, NOT_PROBES, PROMETHEUS, query, stat, timeseries } from './panels.js';

const rate = (selector: string) => `rate(${selector}[$__rate_interval])`;
/** The public listener's connection manager (stat_prefix "edge"); "ops" and "admin" are internal. */
const EDGE = 'envoy_http_conn_manager_prefix="edge"';
/** The routed services' clusters (svc_users, ...), not the rate limit service's or the collector's. */
const UPSTREAMS = 'envoy_cluster_name=~"svc_.*"';

export const edgeDashboard = () =>
  dashboard({
    uid: 'shopstack-edge',
    title: 'ShopStack · edge (Envoy)',
    description:
      'Every request from outside, as the Envoy edge counts it: answers, JWT checks, rate limits and the upstream services behind it.',
    sections: [
      {
        title: 'Requests',
        panels: [
          timeseries(
            'Requests per second by status class',
            'reqps',
            'Downstream requests answered, by 2xx / 4xx / 5xx.',
            query(
              `sum by (envoy_response_code_class) (${rate(`envoy_http_downstream_rq_xx{${EDGE}}`)})`,
              '{{envoy_response_code_class}}xx',
            ),
          ),
          timeseries(
            '5xx share',
            'percentunit',
            'Share answered with 5xx (services down, timeouts, no healthy upstream); ShopStackEdge5xx fires above 5%.',
            query(
              `(sum(${rate(`envoy_http_downstream_rq_xx{${EDGE}, envoy_response_code_class="5"}`)}) or vector(0)) / sum(${rate(`envoy_http_downstream_rq_total{${EDGE}}`)})`,
              '5xx',
            ),
          ),
          timeseries(
            'Duration p50 / p99',
            'ms',
            'Time from the first byte in to the last byte out, at the edge (Envoy measures in milliseconds).',
            query(
              `histogram_quantile(0.5, sum by (le) (${rate(`envoy_http_downstream_rq_time_bucket{${EDGE}}`)}))`,
              'p50',
            ),
            query(
              `histogram_quantile(0.99, sum by (le) (${rate(`envoy_http_downstream_rq_time_bucket{${EDGE}}`)}))`,
              'p99',
            ),
          ),
          timeseries(
            'Open downstream connections',
            'short',
            'Client connections held open by the edge.',
            query(`sum(envoy_http_downstream_cx_active{${EDGE}})`, 'connections'),
          ),
        ],
      },
      {
        title: 'Tokens and rate limits',
        panels: [
          timeseries(
            'JWT checks',
            'reqps',
            'Bearer tokens the edge verified against the users service’s JWKS: allowed, or denied with 401.',
            query(`sum(${rate(`envoy_http_jwt_authn_allowed{${EDGE}}`)})`, 'allowed'),
            query(`sum(${rate(`envoy_http_jwt_authn_denied{${EDGE}}`)})`, 'denied'),
          ),
          timeseries(
            'Rate limited (429)',
            'reqps',
            'Refused by the global limits (the rate limit service, counted per upstream cluster) or by the per-client local bucket.',
            query(
              `sum by (envoy_cluster_name) (${rate(`envoy_cluster_ratelimit_over_limit{${UPSTREAMS}}`)})`,
              'global {{envoy_cluster_name}}',
            ),
            query(
              `sum(${rate('envoy_http_local_rate_limit_rate_limited{envoy_local_http_ratelimit_prefix="edge_rate_limit"}')})`,
              'local',
            ),
          ),
          timeseries(
            'Rate limit service answers',
            'reqps',
            'Global limit checks answered OK by the rate limit service, per upstream cluster.',
            query(
              `sum by (envoy_cluster_name) (${rate(`envoy_cluster_ratelimit_ok{${UPSTREAMS}}`)})`,
              '{{envoy_cluster_name}}',
            ),
          ),
        ],
      },
      {
        title: 'Upstream services',
        panels: [
          timeseries(
            'Upstream duration p99 by service',
            'ms',
            'Time each service took to answer the edge.',
            query(
              `histogram_quantile(0.99, sum by (envoy_cluster_name, le) (${rate(`envoy_cluster_upstream_rq_time_bucket{${UPSTREAMS}}`)}))`,
              '{{envoy_cluster_name}}',
            ),
          ),
          timeseries(
            'Upstream answers by service and class',
            'reqps',
            'What each service answered the edge.',
            query(
              `sum by (envoy_cluster_name, envoy_response_code_class) (${rate(`envoy_cluster_upstream_rq_xx{${UPSTREAMS}}`)})`,
              '{{envoy_cluster_name}} {{envoy_response_code_class}}xx',
            ),
          ),
          timeseries(
            'Healthy upstream hosts',
            'short',
            'Hosts passing the edge’s /readyz health checks, per service.',
            query(
              `sum by (envoy_cluster_name) (envoy_cluster_membership_healthy{${UPSTREAMS}})`,
              '{{envoy_cluster_name}}',
            ),
          ),
        ],
      },
    ],
  });

const op = (name: string) => `shopstack_operator_${name}`;

export const operatorDashboard = () =>
  dashboard({
    uid: 'shopstack-operator',
    title: 'ShopStack · operator',
    description:
      'The ShopDeployment operator: reconciles, the work queue, its writes to the API server and its watches.',
    sections: [
      {
        title: 'Reconciles',
        panels: [
          timeseries(
            'Reconciles by result',
            'ops',
            'success, error (requeued with backoff) or requeue.',
            query(`sum by (result) (${rate(op('reconcile_total'))})`, '{{result}}'),
          ),
          stat(
            'Reconcile errors (10 min)',
            'short',
            'ShopStackOperatorReconcileErrors fires when they keep coming for 10 minutes.',
            query(`sum(increase(${op('reconcile_errors_total')}[10m]))`, 'errors'),
            1,
          ),
          timeseries(
            'Reconcile duration p50 / p99',
            's',
            'Time spent in one reconcile.',
            query(
              `histogram_quantile(0.5, sum by (le) (${rate(op('reconcile_duration_seconds_bucket'))}))`,
              'p50',
            ),
            query(
              `histogram_quantile(0.99, sum by (le) (${rate(op('reconcile_duration_seconds_bucket'))}))`,
              'p99',
            ),
          ),
          timeseries(
            'Work queue depth',
            'short',
            'Shops waiting to be reconciled.',
            query(`sum(${op('workqueue_depth')})`, 'depth'),
          ),
        ],
      },
      {
        title: 'API server',
        panels: [
          timeseries(
            'Writes by verb and purpose',
            'ops',
            'Mutating requests to the API server: reconcile, status, event, lease.',
            query(`sum by (verb, purpose) (${rate(op('api_writes_total'))})`, '{{verb}} {{purpose}}'),
          ),
          timeseries(
            'Watch restarts by resource and reason',
            'ops',
            'Watches that ended or failed and were started again (and relists).',
            query(
              `sum by (resource, reason) (${rate(op('watch_restarts_total'))})`,
              '{{resource}} {{reason}}',
            ),
          ),
          timeseries(
            'Leader',
            'short',
            '1 for the replica holding the leader Lease; exactly one should.',
            query(`max by (instance) (${op('leader')})`, '{{instance}}'),
          ),
        ],
      },
      {
        title: 'Saturation',
        panels: [
          timeseries(
            'Memory',
            'bytes',
            'Resident memory per replica.',
            query(`sum by (instance) (${op('process_resident_memory_bytes')})`, '{{instance}}'),
          ),
          timeseries(
            'Event loop lag p99',
            's',
            'How late the event loop runs callbacks.',
            query(`max by (instance) (${op('nodejs_eventloop_lag_p99_seconds')})`, '{{instance}}'),
          ),
        ],
      },
    ],
  });

export const overviewDashboard = () =>
  dashboard({
    uid: 'shopstack-overview',
    title: 'ShopStack · services overview',
    description: 'Every service side by side: rate, errors, duration and saturation. Pick services above.',
    configure: (builder) =>
      builder.withVariable(
        new QueryVariableBuilder('service')
          .label('Service')
          .datasource(PROMETHEUS)
          .query('label_values(process_resident_memory_bytes, service)')
          .definition('label_values(process_resident_memory_bytes, service)')
          .refresh(VariableRefresh.OnTimeRangeChanged)
          .includeAll(true)
          .multi(true)
          .allValue('.*'),
      ),
    sections: [
      {
        title: 'Rate, errors, duration',
        panels: [
          timeseries(
            'HTTP requests per second',
            'reqps',
            "Requests served by each service's REST API (probes and scrapes left out).",
            query(
              `sum by (service) (${rate(`http_server_requests_total{service=~"$service", ${NOT_PROBES}}`)})`,
              '{{service}}',
            ),
          ),
          timeseries(
            'HTTP 5xx share',
            'percentunit',
            'Share of requests answered with a 5xx, per service.',
            query(
              `(sum by (service) (${rate('http_server_errors_total{service=~"$service"}')}) or sum by (service) (${rate('http_server_requests_total{service=~"$service"}')}) * 0) / sum by (service) (${rate('http_server_requests_total{service=~"$service"}')})`,
              '{{service}}',
            ),
          ),
          timeseries(
            'HTTP duration p99',
            's',
            'Per service, over all routes.',
            query(
              `histogram_quantile(0.99, sum by (service, le) (${rate(`http_server_request_duration_seconds_bucket{service=~"$service", ${NOT_PROBES}}`)}))`,
              '{{service}}',
            ),
          ),
          timeseries(
            'gRPC calls per second',
            'reqps',
            'gRPC calls served, per service.',
            query(
              `sum by (service) (${rate('grpc_server_requests_total{service=~"$service"}')})`,
              '{{service}}',
            ),
          ),
          timeseries(
            'gRPC duration p99',
            's',
            'Server side, per service.',
            query(
              `histogram_quantile(0.99, sum by (service, le) (${rate('grpc_server_request_duration_seconds_bucket{service=~"$service"}')}))`,
              '{{service}}',
            ),
          ),
          timeseries(
            'Circuit breakers (0 closed, 1 half-open, 2 open)',
            'short',
            'Every breaker from a service to a peer.',
            query(
              'max by (service, downstream) (circuit_breaker_state{service=~"$service"})',
              '{{service}} → {{downstream}}',
            ),
          ),
        ],
      },
      {
        title: 'Saturation',
        panels: [
          timeseries(
            'Resident memory',
            'bytes',
            'Per service, all replicas.',
            query('sum by (service) (process_resident_memory_bytes{service=~"$service"})', '{{service}}'),
          ),
          timeseries(
            'Event loop lag p99',
            's',
            'The worst replica of each service.',
            query('max by (service) (nodejs_eventloop_lag_p99_seconds{service=~"$service"})', '{{service}}'),
          ),
          timeseries(
            'CPU (cores)',
            'short',
            'Per service, all replicas.',
            query(
              `sum by (service) (${rate('process_cpu_seconds_total{service=~"$service"}')})`,
              '{{service}}',
            ),
          ),
        ],
      },
    ],
  });
