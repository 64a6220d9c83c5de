// Renders a complete Envoy bootstrap (static resources) for the shop's edge. Pure: same input, same output.
import { stringify } from 'yaml';
import { ADMIN_CLUSTER, adminCluster, clusterName, serviceClusters } from './clusters.js';
import { drainClusters, drainFilters, drainRoutes } from './drain.js';
import {
  CORS_FILTER,
  corsFilter,
  corsPolicy,
  jwtAuthnFilter,
  localRateLimitFilter,
  perClientRateLimit,
  rbacFilter,
  rolesPerRoute,
} from './filters.js';
import { localReplyConfig } from './problems.js';
import { globalRateLimitFilter, rateLimitCluster, routeRateLimits } from './ratelimit.js';
import { CLIENT_IP_HEADER, edgeRoutesFor, OPENAPI_INDEX_PATH, openApiIndex } from './routes.js';
import { httpTracing, otlpClusters, traceIdResponseHeader } from './tracing.js';
import type { EdgeTls, EnvoyConfigInput } from './types.js';

function socket(address: string, port: number) {
  return { socket_address: { address, port_value: port } };
}

/** The edge answers the OpenAPI index itself: it is the one place that knows every service. */
function openApiIndexRoute() {
  return {
    name: 'openapi-index',
    match: { path: OPENAPI_INDEX_PATH, headers: [{ name: ':method', string_match: { exact: 'GET' } }] },
    direct_response: { status: 200, body: { inline_string: JSON.stringify(openApiIndex()) } },
    response_headers_to_add: [{ header: { key: 'content-type', value: 'application/json' } }],
  };
}

function edgeRoutes(input: EnvoyConfigInput) {
  const routes = edgeRoutesFor(input).map((route) => ({
    name: route.name,
    match: route.match,
    route: {
      cluster: clusterName(route.service),
      ...(route.rewritePath ? { prefix_rewrite: route.rewritePath } : {}),
      timeout: `${input.requestTimeoutSeconds}s`,
      // Only failures before the request reached a service are retried, so a POST is never sent twice;
      // each retry goes to another pod (one that just went away stays in DNS for a few seconds).
      retry_policy: {
        retry_on: 'connect-failure',
        num_retries: 2,
        retry_host_predicate: [
          {
            name: 'envoy.retry_host_predicates.previous_hosts',
            typed_config: {
              '@type':
                'type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate',
            },
          },
        ],
        host_selection_retry_max_attempts: 3,
      },
      rate_limits: routeRateLimits(route),
    },
    typed_per_filter_config: {
      'envoy.filters.http.local_ratelimit': perClientRateLimit(
        route.auth ? input.authRateLimit : input.rateLimit,
      ),
      ...(route.roles ? { 'envoy.filters.http.rbac': rolesPerRoute(route.roles) } : {}),
    },
  }));
  return [openApiIndexRoute(), ...routes];
}

const accessLog = [
  {
    name: 'envoy.access_loggers.stdout',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog',
      log_format: {
        json_format: {
          time: '%START_TIME%',
          method: '%REQ(:METHOD)%',
          path: '%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%',
          status: '%RESPONSE_CODE%',
          flags: '%RESPONSE_FLAGS%',
          duration_ms: '%DURATION%',
          upstream: '%UPSTREAM_CLUSTER%',
          request_id: '%REQ(X-REQUEST-ID)%',
          trace_id: '%TRACE_ID%',
        },
      },
    },
  },
];

/** TLS 1.2 at least, HTTP/2 or 1.1 by ALPN. */
function downstreamTls(tls: EdgeTls) {
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
      common_tls_context: {
        tls_params: { tls_minimum_protocol_version: 'TLSv1_2' },
        alpn_protocols: ['h2', 'http/1.1'],
        tls_certificates: [
          {
            certificate_chain: { filename: tls.certificateChainFile },
            private_key: { filename: tls.privateKeyFile },
          },
        ],
      },
    },
  };
}

const HSTS_YEAR = 365 * 24 * 3600;

/** Browsers that saw the shop over TLS never fall back to plain HTTP for it. */
function hstsHeader(tls: EdgeTls) {
  return {
    header: {
      key: 'strict-transport-security',
      value: `max-age=${tls.hstsMaxAgeSeconds ?? HSTS_YEAR}; includeSubDomains`,
    },
    append_action: 'OVERWRITE_IF_EXISTS_OR_ADD',
  };
}

function edgeListener(input: EnvoyConfigInput) {
  return {
    name: 'edge',
    address: socket(input.bindAddress, input.listenPort),
    filter_chains: [
      {
        ...(input.tls ? { transport_socket: downstreamTls(input.tls) } : {}),
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            typed_config: {
              '@type':
                'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
              stat_prefix: 'edge',
              // The client address is the peer's, or the entry trustedProxyHops from the right of
              // X-Forwarded-For when load balancers sit in front; rate limits and services use it.
              use_remote_address: true,
              xff_num_trusted_hops: input.trustedProxyHops,
              normalize_path: true,
              merge_slashes: true,
              // An escaped slash or backslash (%2F, %5C) in a path is refused with a problem+json 400:
              // redirecting answered a bare 307 without a body, and no route of ours needs one.
              path_with_escaped_slashes_action: 'REJECT_REQUEST',
              request_headers_timeout: '10s',
              stream_idle_timeout: '60s',
              access_log: accessLog,
              ...httpTracing(input),
              local_reply_config: localReplyConfig(),
              route_config: {
                name: 'edge',
                // Services read the client address from here (the kit's CLIENT_IP_HEADER), never from
                // X-Forwarded-For, whose left part any client can write; a value a client sent is replaced.
                request_headers_to_add: [
                  {
                    header: { key: CLIENT_IP_HEADER, value: '%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%' },
                    append_action: 'OVERWRITE_IF_EXISTS_OR_ADD',
                  },
                ],
                ...(input.tls ? { response_headers_to_add: [hstsHeader(input.tls)] } : {}),
                virtual_hosts: [
                  {
                    name: 'shop',
                    domains: ['*'],
                    routes: edgeRoutes(input),
                    ...traceIdResponseHeader(input),
                    ...(input.corsAllowedOrigins?.length
                      ? { typed_per_filter_config: { [CORS_FILTER]: corsPolicy(input.corsAllowedOrigins) } }
                      : {}),
                  },
                ],
              },
              http_filters: [
                localRateLimitFilter(),
                // Before the token check: a preflight carries no token, and the CORS filter answers it.
                corsFilter(),
                jwtAuthnFilter(input, clusterName('users')),
                rbacFilter(),
                globalRateLimitFilter(),
                {
                  name: 'envoy.filters.http.router',
                  typed_config: {
                    '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router',
                  },
                },
              ],
            },
          },
        ],
      },
    ],
  };
}

function opsListener(input: EnvoyConfigInput) {
  const toAdmin = (path: string) => ({ match: { path }, route: { cluster: ADMIN_CLUSTER } });
  return {
    name: 'ops',
    address: socket(input.bindAddress, input.opsPort),
    filter_chains: [
      {
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            typed_config: {
              '@type':
                'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
              stat_prefix: 'ops',
              route_config: {
                name: 'ops',
                virtual_hosts: [
                  {
                    name: 'ops',
                    domains: ['*'],
                    routes: [toAdmin('/ready'), toAdmin('/stats/prometheus'), ...drainRoutes(input)],
                  },
                ],
              },
              http_filters: [
                ...drainFilters(input),
                {
                  name: 'envoy.filters.http.router',
                  typed_config: {
                    '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router',
                  },
                },
              ],
            },
          },
        ],
      },
    ],
  };
}

export function renderEnvoyBootstrap(input: EnvoyConfigInput) {
  return {
    node: { id: 'shopstack-edge', cluster: 'shopstack-edge' },
    // The admin interface can stop the server, so it never leaves loopback; ops exposes the safe parts.
    admin: { address: socket('127.0.0.1', input.adminPort) },
    static_resources: {
      listeners: [edgeListener(input), opsListener(input)],
      clusters: [
        ...serviceClusters(input),
        rateLimitCluster(input),
        adminCluster(input),
        ...drainClusters(input),
        ...otlpClusters(input),
      ],
    },
    overload_manager: {
      resource_monitors: [
        {
          name: 'envoy.resource_monitors.global_downstream_max_connections',
          typed_config: {
            '@type':
              'type.googleapis.com/envoy.extensions.resource_monitors.downstream_connections.v3.DownstreamConnectionsConfig',
            max_active_downstream_connections: 50_000,
          },
        },
      ],
    },
  };
}

export function renderEnvoyYaml(input: EnvoyConfigInput): string {
  return `# Rendered by @shopstack/operator; do not edit by hand.\n${stringify(renderEnvoyBootstrap(input))}`;
}
