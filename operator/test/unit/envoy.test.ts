// biome-ignore-all lint/suspicious/noExplicitAny: the tests walk rendered configs and manifests
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CLIENT_IP_HEADER,
  type EnvoyConfigInput,
  RATE_LIMIT_DOMAIN,
  rateLimitRules,
  renderEnvoyBootstrap,
  renderEnvoyYaml,
} from '../../src/render/envoy/index.js';

const input: EnvoyConfigInput = {
  bindAddress: '127.0.0.1',
  listenPort: 18080,
  opsPort: 18081,
  adminPort: 19901,
  drainHoldSeconds: 10,
  upstreams: {
    users: { host: '127.0.0.1', port: 8101 },
    catalog: { host: '127.0.0.1', port: 8102 },
    orders: { host: 'orders.local', port: 8103 },
    payments: { host: '127.0.0.1', port: 8104 },
    notifications: { host: '127.0.0.1', port: 8105 },
    backoffice: { host: '127.0.0.1', port: 8106 },
  },
  jwt: { issuer: 'shopstack-users', audiences: ['shopstack', 'admin'] },
  rateLimit: { requestsPerSecond: 50, burst: 100 },
  authRateLimit: { requestsPerSecond: 2, burst: 5 },
  userRateLimit: { requestsPerSecond: 10, burst: 30 },
  rateLimitService: { host: 'ratelimit.local', port: 8091 },
  trustedProxyHops: 1,
  requestTimeoutSeconds: 12,
};

const config = renderEnvoyBootstrap(input) as any;
const hcm = config.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
const allRoutes = hcm.route_config.virtual_hosts[0].routes;
/** The routes to a service (the OpenAPI index is answered by the edge itself). */
const routes = allRoutes.filter((r: any) => r.route);
const jwt = hcm.http_filters.find(
  (f: { name: string }) => f.name === 'envoy.filters.http.jwt_authn',
).typed_config;

describe('Envoy bootstrap renderer', () => {
  it('routes each service prefix and the JWKS to the right cluster', () => {
    const table = Object.fromEntries(routes.map((r: any) => [JSON.stringify(r.match), r.route.cluster]));
    assert.equal(table['{"path":"/.well-known/jwks.json"}'], 'svc_users');
    for (const service of ['users', 'catalog', 'orders', 'payments', 'notifications', 'backoffice']) {
      assert.equal(table[`{"path_separated_prefix":"/api/${service}"}`], `svc_${service}`);
    }
  });

  it('serves each service’s OpenAPI document at /api/<service>/openapi.json and an index of them', () => {
    for (const service of ['users', 'catalog', 'orders', 'payments', 'notifications', 'backoffice']) {
      const route = routes.find((r: any) => r.match.path === `/api/${service}/openapi.json`);
      assert.equal(route.route.cluster, `svc_${service}`);
      assert.equal(route.route.prefix_rewrite, '/openapi.json');
      assert.ok(routes.indexOf(route) < routes.findIndex((r: any) => r.name === service), service);
    }
    const index = allRoutes.find((r: any) => r.match.path === '/api/openapi.json');
    assert.equal(index.direct_response.status, 200);
    const documents = JSON.parse(index.direct_response.body.inline_string).documents;
    assert.deepEqual(documents[2], { service: 'orders', url: '/api/orders/openapi.json' });
    assert.equal(documents.length, 6);
  });

  it('lets only admin and support tokens through the back office, by the verified role claim', () => {
    const filters = hcm.http_filters.map((f: any) => f.name);
    assert.ok(filters.indexOf('envoy.filters.http.rbac') > filters.indexOf('envoy.filters.http.jwt_authn'));
    const backoffice = allRoutes.find((r: any) => r.name === 'backoffice');
    const policy = backoffice.typed_per_filter_config['envoy.filters.http.rbac'].rbac.rules;
    assert.equal(policy.action, 'ALLOW');
    const roles = policy.policies.roles.principals.map((p: any) => p.metadata.value.string_match.exact);
    assert.deepEqual(roles, ['admin', 'support']);
    assert.deepEqual(
      policy.policies.roles.principals[0].metadata.path.map((p: any) => p.key),
      ['jwt_payload', 'role'],
    );
    // Every other route, the back office's OpenAPI document included, has no role policy.
    const others = allRoutes.filter((r: any) => r.typed_per_filter_config?.['envoy.filters.http.rbac']);
    assert.deepEqual(
      others.map((r: any) => r.name),
      ['backoffice'],
    );
  });

  it('verifies tokens from the users JWKS with the issuer and audiences, except on public routes', () => {
    const provider = jwt.providers.users;
    assert.equal(provider.issuer, 'shopstack-users');
    assert.deepEqual(provider.audiences, ['shopstack', 'admin']);
    assert.equal(provider.remote_jwks.http_uri.uri, 'http://127.0.0.1:8101/.well-known/jwks.json');
    assert.equal(provider.remote_jwks.http_uri.cluster, 'svc_users');
    const open = jwt.rules
      .filter((r: any) => !r.requires)
      .map((r: any) => r.match.path ?? r.match.path_separated_prefix);
    assert.deepEqual(open, [
      '/api/openapi.json',
      '/api/users/openapi.json',
      '/api/catalog/openapi.json',
      '/api/orders/openapi.json',
      '/api/payments/openapi.json',
      '/api/notifications/openapi.json',
      '/api/backoffice/openapi.json',
      '/.well-known/jwks.json',
      '/api/users/register',
      '/api/users/login',
      '/api/users/token/refresh',
      '/api/users/password-reset',
      '/api/users/api-keys/token',
      '/api/users/verify-email',
      '/api/users/logout',
      '/api/notifications/unsubscribe',
      '/api/catalog',
      '/api/payments/webhooks',
    ]);
    const catalog = jwt.rules.find((r: any) => r.match.path_separated_prefix === '/api/catalog');
    assert.equal(catalog.match.headers[0].string_match.safe_regex.regex, '^(GET|HEAD)$');
    // Payment providers have no user token; only their POSTs pass, and only to the webhook path.
    const webhooks = jwt.rules.find((r: any) => r.match.path_separated_prefix === '/api/payments/webhooks');
    assert.equal(webhooks.match.headers[0].string_match.safe_regex.regex, '^(POST)$');
    const webhookRoute = routes.findIndex((r: any) => r.name === 'payments-webhooks');
    assert.ok(webhookRoute >= 0 && webhookRoute < routes.findIndex((r: any) => r.name === 'payments'));
    assert.deepEqual(jwt.rules.at(-1), { match: { prefix: '/' }, requires: { provider_name: 'users' } });
  });

  it('limits per client address, stricter on login, and enforces the limit', () => {
    const limitOf = (name: string) =>
      routes.find((r: any) => r.name === name).typed_per_filter_config['envoy.filters.http.local_ratelimit'];
    const login = limitOf('users-login');
    assert.deepEqual(login.descriptors, [
      {
        entries: [{ key: 'remote_address', value: '' }],
        token_bucket: { max_tokens: 5, tokens_per_fill: 2, fill_interval: '1s' },
      },
    ]);
    assert.equal(limitOf('orders').descriptors[0].token_bucket.max_tokens, 100);
    // An API key is a secret too: its exchange is limited like a sign-in.
    assert.deepEqual(limitOf('users-api-keys-token').descriptors, login.descriptors);
    assert.equal(login.filter_enforced.default_value.numerator, 100);
    assert.equal(login.filter_enabled.default_value.numerator, 100);
  });

  it('asks the global rate limit service per client address and per user, in the route class', () => {
    const filters = hcm.http_filters.map((f: any) => f.name);
    assert.ok(
      filters.indexOf('envoy.filters.http.ratelimit') > filters.indexOf('envoy.filters.http.jwt_authn'),
      'the rate limit filter must see the verified token',
    );
    const global = hcm.http_filters.find((f: any) => f.name === 'envoy.filters.http.ratelimit').typed_config;
    assert.equal(global.domain, RATE_LIMIT_DOMAIN);
    assert.equal(global.rate_limit_service.grpc_service.envoy_grpc.cluster_name, 'ratelimit');
    const cluster = config.static_resources.clusters.find((c: any) => c.name === 'ratelimit');
    assert.deepEqual(cluster.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address, {
      address: 'ratelimit.local',
      port_value: 8091,
    });
    assert.equal(jwt.providers.users.payload_in_metadata, 'jwt_payload');
    const limitsOf = (name: string) => routes.find((r: any) => r.name === name).route.rate_limits;
    assert.deepEqual(limitsOf('users-login')[0].actions, [
      { generic_key: { descriptor_key: 'route_class', descriptor_value: 'auth' } },
      { remote_address: {} },
    ]);
    const [cls, user] = limitsOf('orders')[1].actions;
    assert.equal(cls.generic_key.descriptor_value, 'api');
    assert.equal(user.metadata.descriptor_key, 'user');
    assert.deepEqual(user.metadata.metadata_key.path, [{ key: 'jwt_payload' }, { key: 'sub' }]);
    assert.deepEqual(rateLimitRules(input), [
      { routeClass: 'auth', key: 'remote_address', requestsPerSecond: 2, burst: 5 },
      { routeClass: 'api', key: 'remote_address', requestsPerSecond: 50, burst: 100 },
      { routeClass: 'api', key: 'user', requestsPerSecond: 10, burst: 30 },
    ]);
  });

  it('takes the client address from the trusted hops and hands it to services in its own header', () => {
    assert.equal(hcm.use_remote_address, true);
    assert.equal(hcm.xff_num_trusted_hops, 1);
    assert.deepEqual(hcm.route_config.request_headers_to_add, [
      {
        header: { key: CLIENT_IP_HEADER, value: '%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%' },
        append_action: 'OVERWRITE_IF_EXISTS_OR_ADD',
      },
    ]);
  });

  it('health-checks clusters, never panics to unhealthy hosts and retries only connection failures, elsewhere', () => {
    const orders = config.static_resources.clusters.find((c: any) => c.name === 'svc_orders');
    assert.equal(orders.type, 'STRICT_DNS');
    assert.deepEqual(orders.common_lb_config, { healthy_panic_threshold: { value: 0 } });
    assert.equal(orders.health_checks[0].http_health_check.path, '/readyz');
    for (const route of routes) {
      assert.equal(route.route.retry_policy.retry_on, 'connect-failure');
      assert.equal(route.route.retry_policy.num_retries, 2);
      assert.deepEqual(
        route.route.retry_policy.retry_host_predicate.map((p: { name: string }) => p.name),
        ['envoy.retry_host_predicates.previous_hosts'],
        'a retry goes to another pod',
      );
      assert.equal(route.route.timeout, '12s');
    }
  });

  it('refuses escaped slashes and backslashes in paths instead of redirecting', () => {
    const hcm = config.static_resources.listeners.find((l: any) => l.name === 'edge').filter_chains[0]
      .filters[0].typed_config;
    assert.equal(hcm.path_with_escaped_slashes_action, 'REJECT_REQUEST');
  });

  it('answers its own refusals as problem+json, leaving upstream replies alone', () => {
    const hcm = config.static_resources.listeners.find((l: any) => l.name === 'edge').filter_chains[0]
      .filters[0].typed_config;
    const mappers = hcm.local_reply_config.mappers;
    const statuses = mappers.map((m: any) => m.filter.status_code_filter.comparison.value.default_value);
    assert.deepEqual(statuses, [400, 401, 403, 404, 413, 429, 503, 504]);
    for (const mapper of mappers) {
      assert.equal(mapper.body_format_override.content_type, 'application/problem+json');
      assert.match(
        mapper.body_format_override.json_format.type,
        /^https:\/\/shopstack\.dev\/problems\/edge\//,
      );
    }
  });

  it('keeps the admin interface on loopback', () => {
    assert.equal(config.admin.address.socket_address.address, '127.0.0.1');
  });

  it('is accepted by the real Envoy (--mode validate)', async () => {
    const envoy = process.env.ENVOY_BIN;
    assert.ok(envoy, 'ENVOY_BIN is not set: run `npm run infra -- up envoy`');
    const dir = mkdtempSync(join(tmpdir(), 'envoy-config-'));
    try {
      const file = join(dir, 'envoy.yaml');
      writeFileSync(file, renderEnvoyYaml(input));
      const { stdout, stderr } = await promisify(execFile)(envoy, [
        '--mode',
        'validate',
        '-c',
        file,
        '--disable-hot-restart',
      ]);
      assert.match(stdout + stderr, /OK/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
