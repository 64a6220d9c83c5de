// Global rate limits: every edge replica asks one rate limit service (services/ratelimit, Envoy's
// envoy.service.ratelimit.v3 API on Redis), so N replicas share one budget instead of allowing N times
// the limit. Each route sends descriptors per client address and per signed-in user, within its class.
import { identityUri } from '@shopstack/kit/pki';
import type { EdgeRoute } from './routes.js';
import type { EnvoyConfigInput, UpstreamMtls } from './types.js';

export const RATE_LIMIT_CLUSTER = 'ratelimit';
export const RATE_LIMIT_DOMAIN = 'shopstack';
/** Where jwt_authn leaves the verified token's claims for the user descriptor. */
export const JWT_PAYLOAD_METADATA = 'jwt_payload';

/** Brute-force sensitive routes (a password, a refresh token) and everything else. */
export type RouteClass = 'auth' | 'api';
export const routeClass = (route: EdgeRoute): RouteClass => (route.auth ? 'auth' : 'api');

/** The rules the rate limit service enforces (its RATE_LIMIT_RULES), from the same input as the edge. */
export function rateLimitRules(
  input: Pick<EnvoyConfigInput, 'rateLimit' | 'authRateLimit' | 'userRateLimit'>,
) {
  const rule = (cls: RouteClass, key: 'remote_address' | 'user', limit: EnvoyConfigInput['rateLimit']) => ({
    routeClass: cls,
    key,
    requestsPerSecond: limit.requestsPerSecond,
    burst: limit.burst,
  });
  return [
    rule('auth', 'remote_address', input.authRateLimit),
    rule('api', 'remote_address', input.rateLimit),
    rule('api', 'user', input.userRateLimit),
  ];
}

/** The route's descriptors: [route_class, remote_address] always, [route_class, user] with a token. */
export function routeRateLimits(route: EdgeRoute) {
  // A fresh object per use, so the rendered YAML carries no anchors.
  const cls = () => ({ generic_key: { descriptor_key: 'route_class', descriptor_value: routeClass(route) } });
  return [
    { actions: [cls(), { remote_address: {} }] },
    {
      actions: [
        cls(),
        {
          metadata: {
            descriptor_key: 'user',
            metadata_key: {
              key: 'envoy.filters.http.jwt_authn',
              path: [{ key: JWT_PAYLOAD_METADATA }, { key: 'sub' }],
            },
            // No token (public routes): this descriptor is left out, the address one still counts.
            skip_if_absent: true,
          },
        },
      ],
    },
  ];
}

/** After jwt_authn, so the user descriptor sees the verified subject. */
export function globalRateLimitFilter() {
  return {
    name: 'envoy.filters.http.ratelimit',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.ratelimit.v3.RateLimit',
      domain: RATE_LIMIT_DOMAIN,
      // When the service cannot answer in time the request passes; the per-replica local limit
      // (local_ratelimit) still bounds each client, so an outage degrades to the old behaviour.
      failure_mode_deny: false,
      timeout: '0.5s',
      enable_x_ratelimit_headers: 'DRAFT_VERSION_03',
      rate_limit_service: {
        grpc_service: { envoy_grpc: { cluster_name: RATE_LIMIT_CLUSTER } },
        transport_api_version: 'V3',
      },
    },
  };
}

export function rateLimitCluster(input: EnvoyConfigInput) {
  const { host, port, mtls } = input.rateLimitService;
  return {
    name: RATE_LIMIT_CLUSTER,
    type: 'STRICT_DNS',
    dns_lookup_family: 'V4_ONLY',
    connect_timeout: '1s',
    lb_policy: 'ROUND_ROBIN',
    typed_extension_protocol_options: {
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
        '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
        explicit_http_config: { http2_protocol_options: {} },
      },
    },
    ...(mtls ? { transport_socket: upstreamMtls(mtls) } : {}),
    load_assignment: {
      cluster_name: RATE_LIMIT_CLUSTER,
      endpoints: [
        {
          lb_endpoints: [{ endpoint: { address: { socket_address: { address: host, port_value: port } } } }],
        },
      ],
    },
  };
}

/**
 * The edge presents its certificate and accepts only the upstream's (the shop's CA, the identity's SAN
 * URI). Envoy reads these files when it starts; the operator rolls the edge pods when it renews them.
 */
function upstreamMtls({ dir, serverIdentity }: UpstreamMtls) {
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
      common_tls_context: {
        alpn_protocols: ['h2'],
        tls_certificates: [
          { certificate_chain: { filename: `${dir}/tls.crt` }, private_key: { filename: `${dir}/tls.key` } },
        ],
        validation_context: {
          trusted_ca: { filename: `${dir}/ca.crt` },
          match_typed_subject_alt_names: [
            { san_type: 'URI', matcher: { exact: identityUri(serverIdentity) } },
          ],
        },
      },
    },
  };
}
