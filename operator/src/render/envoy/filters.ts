// HTTP filters of the edge: JWT verification against the users service's JWKS, and per-client rate limits.
import { JWKS_CACHE_SECONDS } from '../../api/constants.js';
import { JWT_PAYLOAD_METADATA } from './ratelimit.js';
import { type EdgeRoute, edgeRoutesFor, OPENAPI_INDEX_PATH, WEB_UPSTREAM } from './routes.js';
import type { EnvoyConfigInput, RateLimit } from './types.js';

export const JWT_PROVIDER = 'users';
const ALWAYS = { default_value: { numerator: 100, denominator: 'HUNDRED' } };

function methodMatcher(methods: readonly string[]) {
  return {
    name: ':method',
    string_match: { safe_regex: { regex: `^(${methods.join('|')})$` } },
  };
}

/**
 * Public routes come first and carry no requirement; everything else needs a valid token. The web
 * app's catch-all (`/`, GET) comes after a rule that closes every other API path, so it can never
 * open one.
 */
function jwtRules(routes: readonly EdgeRoute[]) {
  const openRule = (route: EdgeRoute) => ({
    match: {
      ...route.match,
      ...(route.publicMethods === 'all' ? {} : { headers: [methodMatcher(route.publicMethods ?? [])] }),
    },
  });
  const isPublic = (route: EdgeRoute) => route.publicMethods !== undefined;
  const web = routes.filter((route) => route.service === WEB_UPSTREAM && isPublic(route)).map(openRule);
  const open = routes.filter((route) => route.service !== WEB_UPSTREAM && isPublic(route)).map(openRule);
  const index = { match: { path: OPENAPI_INDEX_PATH } };
  const requires = { provider_name: JWT_PROVIDER };
  const closed =
    web.length > 0
      ? [
          { match: { prefix: '/api/' }, requires },
          { match: { prefix: '/.well-known/' }, requires },
        ]
      : [];
  return [index, ...open, ...closed, ...web, { match: { prefix: '/' }, requires }];
}

export function jwtAuthnFilter(input: EnvoyConfigInput, usersCluster: string) {
  // The JWKS is fetched through the users cluster; the address in the URI only names the host header.
  const [users] = [input.upstreams.users].flat();
  return {
    name: 'envoy.filters.http.jwt_authn',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication',
      providers: {
        [JWT_PROVIDER]: {
          issuer: input.jwt.issuer,
          audiences: input.jwt.audiences,
          from_headers: [{ name: 'Authorization', value_prefix: 'Bearer ' }],
          forward: true,
          // The verified claims, for the per-user rate limit descriptor.
          payload_in_metadata: JWT_PAYLOAD_METADATA,
          remote_jwks: {
            http_uri: {
              uri: `http://${users!.host}:${users!.port}/.well-known/jwks.json`,
              cluster: usersCluster,
              timeout: '2s',
            },
            cache_duration: `${input.jwt.jwksCacheSeconds ?? JWKS_CACHE_SECONDS}s`,
            // Without fast_listener the listener would wait for the first fetch, so the edge could not
            // start before users does.
            async_fetch: { fast_listener: true, failed_refetch_duration: '2s' },
            retry_policy: { num_retries: 3, retry_back_off: { base_interval: '0.2s', max_interval: '2s' } },
          },
        },
      },
      rules: jwtRules(edgeRoutesFor(input)),
    },
  };
}

/**
 * Role checks at the edge: the filter has no rules of its own (every route passes); a route with
 * `roles` carries a per-route policy that allows only tokens whose verified `role` claim (the payload
 * jwt_authn leaves in its metadata) is one of them. Anything else gets a 403 before the service.
 */
export function rbacFilter() {
  return {
    name: 'envoy.filters.http.rbac',
    typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC' },
  };
}

export function rolesPerRoute(roles: readonly string[]) {
  return {
    '@type': 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBACPerRoute',
    rbac: {
      rules: {
        action: 'ALLOW',
        policies: {
          roles: {
            permissions: [{ any: true }],
            principals: roles.map((role) => ({
              metadata: {
                filter: 'envoy.filters.http.jwt_authn',
                path: [{ key: JWT_PAYLOAD_METADATA }, { key: 'role' }],
                value: { string_match: { exact: role } },
              },
            })),
          },
        },
      },
    },
  };
}

/** The filter itself is inert; each route switches it on with its own per-client bucket. */
export function localRateLimitFilter() {
  return {
    name: 'envoy.filters.http.local_ratelimit',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
      stat_prefix: 'edge_rate_limit',
    },
  };
}

/**
 * Per-route config: one token bucket per client address. The wildcard descriptor (empty value) makes
 * Envoy keep a bucket per distinct remote_address, bounded by max_dynamic_descriptors.
 */
export function perClientRateLimit(limit: RateLimit) {
  const bucket = { max_tokens: limit.burst, tokens_per_fill: limit.requestsPerSecond, fill_interval: '1s' };
  return {
    '@type': 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
    stat_prefix: 'edge_rate_limit',
    // Only requests that match a descriptor are limited; this generous default bucket is never the bottleneck.
    token_bucket: { max_tokens: 1_000_000, tokens_per_fill: 1_000_000, fill_interval: '1s' },
    // Both default to 0% in Envoy, which would make the limit a no-op.
    filter_enabled: { ...ALWAYS, runtime_key: 'edge_rate_limit_enabled' },
    filter_enforced: { ...ALWAYS, runtime_key: 'edge_rate_limit_enforced' },
    descriptors: [{ entries: [{ key: 'remote_address', value: '' }], token_bucket: bucket }],
    max_dynamic_descriptors: 10_000,
    response_headers_to_add: [
      { append_action: 'OVERWRITE_IF_EXISTS_OR_ADD', header: { key: 'x-ratelimit-limited', value: 'true' } },
    ],
    rate_limits: [{ actions: [{ remote_address: {} }] }],
  };
}

/** The filter answers preflights and adds the CORS headers per the virtual host's policy (corsPolicy). */
export function corsFilter() {
  return {
    name: CORS_FILTER,
    typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors' },
  };
}

export const CORS_FILTER = 'envoy.filters.http.cors';

/**
 * Exact origins only, no wildcard, no credentials: the API takes bearer tokens, never cookies, so a
 * browser never needs to send credentials, and an allowed origin can read only what its token may.
 */
export function corsPolicy(origins: readonly string[]) {
  return {
    '@type': 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy',
    allow_origin_string_match: origins.map((origin) => ({ exact: origin })),
    allow_methods: 'GET, HEAD, POST, PUT, PATCH, DELETE',
    allow_headers: 'authorization, content-type, idempotency-key, if-none-match, if-match',
    expose_headers: 'etag, location, retry-after, x-trace-id, x-request-id',
    max_age: '600',
    allow_credentials: false,
  };
}
