// Every dashboard panel and every rule against a real Prometheus that has scraped the real platform:
// the five services and the rate limit service as processes, the real Envoy edge in front of them
// (its own /stats/prometheus) and the operator reconciling a shop on the local API server. A person's
// traffic goes through the edge first (sign-up, a confirmed and a cancelled checkout, a forged token,
// a burst of bad sign-ins the global rate limit stops), so the panels have something to show.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { grpcurlTlsArgs } from '@shopstack/kit/testing';
import { kubectl, suffix } from '../../operator/test/support/cluster.js';
import { smallShopObject } from '../../operator/test/support/fixtures.js';
import { OperatorProcess } from '../../operator/test/support/operator-process.js';
import { callEdge, type Platform, platform } from '../e2e/platform.js';
import { infraEnv } from '../support/env.js';
import { eventually } from '../support/process.js';
import { panelQueries } from './dashboards.js';
import { exposedNames, metricNames, platformRules } from './promql.js';
import { type AlertingStack, startAlertingStack } from './support/alerting.js';

const CRDS = new URL('../../charts/shopstack-operator/crds/', import.meta.url).pathname;

describe('dashboards and rules against a Prometheus that scraped the real platform', function () {
  this.timeout(300_000);
  let shop: Platform;
  let operator: OperatorProcess;
  let stack: AlertingStack;
  const ns = `obs-${suffix()}`;
  /** What the private Prometheus scrapes, labelled as npm start and the operator label them. */
  const targets: { address: string; labels: Record<string, string> }[] = [];

  const call = (method: string, route: string, token?: string, body?: unknown, key?: string) =>
    callEdge(shop.edgeUrl, method, route, token, body, key);
  const signIn = async (account: { email: string; password: string }) => {
    const login = await call('POST', '/api/users/login', undefined, account);
    assert.equal(login.status, 200, JSON.stringify(login.body));
    return login.body.accessToken as string;
  };
  const promQuery = async (expr: string) => {
    const response = await fetch(`${stack.prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await response.json()) as { status: string; error?: string; data: { result: unknown[] } };
    assert.equal(body.status, 'success', `${body.error}\n${expr}`);
    return body.data.result;
  };

  before(async () => {
    // Per signed-in user, only the global rate limit service counts: a low budget it can be seen at.
    // The operator, meanwhile, on the local API server: reconciling a shop of its own shard, with
    // short watches so that watch restarts happen within the test too.
    const startOperator = async () => {
      await kubectl(['apply', '--server-side', '--force-conflicts', '-f', CRDS]);
      await kubectl(['create', 'namespace', ns]);
      operator = await OperatorProcess.start({
        kubeconfig: infraEnv('KUBECONFIG'),
        namespace: ns,
        leaseName: `obs-${ns}`,
        identity: `${ns}-operator`,
        shard: ns,
        env: { WATCH_TIMEOUT_SECONDS: '2' },
      });
      await kubectl(['apply', '-n', ns, '-f', '-'], JSON.stringify(smallShopObject('obs', ns, 1)));
    };
    const started = await Promise.allSettled([
      platform({
        env: { RECONCILE_INTERVAL_MS: '1000' },
        limits: { userRateLimit: { requestsPerSecond: 1, burst: 40 } },
      }).then((started) => {
        shop = started;
      }),
      startOperator(),
    ]);
    // Both are stopped in after(), whichever of them started.
    for (const result of started) if (result.status === 'rejected') throw result.reason;

    for (const [service, url] of Object.entries(shop.services!))
      targets.push({ address: new URL(url).host, labels: { service } });
    targets.push({ address: shop.scrape!.rateLimit, labels: { service: 'ratelimit' } });
    targets.push({
      address: shop.scrape!.edgeOps,
      labels: { service: 'edge', __metrics_path__: '/stats/prometheus' },
    });
    targets.push({ address: operator.metricsAddress, labels: { service: 'operator' } });
    stack = await startAlertingStack({ targets, forSeconds: 60 });

    // A person's traffic through the edge.
    const admin = await signIn(shop.admin);
    const product = await call('POST', '/api/catalog/products', admin, {
      name: `Observed teapot ${randomUUID().slice(0, 8)}`,
      priceMinor: 2_000,
      currency: 'EUR',
      stockOnHand: 5,
    });
    assert.equal(product.status, 201, JSON.stringify(product.body));
    const customer = { email: `watched.${randomUUID()}@example.test`, password: 'a teapot for the kitchen' };
    assert.equal((await call('POST', '/api/users/register', undefined, customer)).status, 201);
    const token = await signIn(customer);
    assert.equal((await call('GET', '/api/notifications/preferences', token)).status, 200);
    assert.equal((await call('GET', '/api/orders', 'not.a.token')).status, 401);
    const topUp = await call(
      'POST',
      '/api/payments/topups',
      token,
      { currency: 'EUR', amount: 5_000, source: 'tok_ok' },
      randomUUID(),
    );
    assert.equal(topUp.status, 202, JSON.stringify(topUp.body));
    await eventually(async () => {
      const accounts = await call('GET', '/api/payments/accounts', token);
      return accounts.body.accounts.some((a: { balance: string }) => a.balance === '5000');
    }, 60_000);
    // One checkout the money covers (4,000 of 5,000), then one it does not (2,000 of 1,000 left).
    for (const [quantity, outcome] of [
      [2, 'confirmed'],
      [1, 'cancelled'],
    ] as const) {
      const line = await call('POST', '/api/orders/cart/lines', token, {
        productId: product.body.id,
        quantity,
      });
      assert.equal(line.status, 200, JSON.stringify(line.body));
      const placed = await call('POST', '/api/orders/checkout', token, undefined, randomUUID());
      assert.equal(placed.status, 202, JSON.stringify(placed.body));
      await eventually(async () => {
        const order = await call('GET', `/api/orders/${placed.body.orderId}`, token);
        return (
          order.body.status === outcome && (outcome === 'cancelled' || order.body.progress.stockCommitted)
        );
      }, 60_000);
    }
    // Wrong passwords faster than the edge's sign-in limit (20/s, burst 40): refused, then 429 from
    // the edge's own bucket; and a signed-in user past their budget: 429 from the global service.
    const refused = await Promise.all(
      Array.from({ length: 60 }, () =>
        call('POST', '/api/users/login', undefined, { email: customer.email, password: 'wrong!' }),
      ),
    );
    assert.ok(
      refused.some((r) => r.status === 429),
      `no sign-in was limited: ${refused.map((r) => r.status)}`,
    );
    // One after the other: the rate limit service runs in this process, and a flood of concurrent
    // checks would only time out (the edge then lets requests through, as it is configured to).
    const limited: number[] = [];
    for (let i = 0; i < 300 && !limited.includes(429); i++)
      limited.push((await call('GET', '/api/users/me', admin)).status);
    assert.ok(limited.includes(429), `the signed-in user was never limited: ${limited}`);
    // The gRPC APIs nobody in this flow calls: a person with grpcurl (a not-found answer is an answer).
    const grpcurl = (address: string, method: string, body: unknown) =>
      promisify(execFile)(
        infraEnv('GRPCURL_BIN'),
        [...grpcurlTlsArgs('backoffice'), '-d', JSON.stringify(body), address, method],
        {
          timeout: 20_000,
        },
      ).catch((error: { stderr?: string }) => ({ stderr: error.stderr ?? '' }));
    await grpcurl(shop.grpc!.orders, 'shop.orders.v1.OrdersService/GetOrder', { orderId: randomUUID() });
    await grpcurl(shop.grpc!.notifications, 'shop.notifications.v1.NotificationsService/GetDelivery', {
      deliveryId: randomUUID(),
    });
  });

  after(async () => {
    await stack?.stop();
    await operator?.stop();
    await kubectl(['delete', 'namespace', ns, '--wait=false']).catch(() => {});
    await shop?.stop();
  });

  it('every panel of every dashboard shows data', async () => {
    const queries = panelQueries();
    let empty: string[] = [];
    try {
      await eventually(async () => {
        empty = [];
        for (const q of queries) {
          if ((await promQuery(q.expr)).length === 0)
            empty.push(`${q.dashboard} / ${q.panel}:\n    ${q.expr}`);
        }
        return empty.length === 0;
      }, 60_000);
    } catch {
      assert.fail(
        `${empty.length} of ${queries.length} panel queries return no data:\n  ${empty.join('\n  ')}`,
      );
    }
  });

  it('every metric name in the panels and the rules is one the real targets expose', async () => {
    const exposed = new Set(['up', 'ALERTS', 'ALERTS_FOR_STATE']);
    for (const target of targets) {
      const response = await fetch(`http://${target.address}${target.labels.__metrics_path__ ?? '/metrics'}`);
      assert.equal(response.status, 200, `${target.labels.service} did not answer its scrape`);
      for (const name of exposedNames(await response.text())) exposed.add(name);
    }
    const rules = platformRules();
    const recorded = new Set(rules.flatMap((r) => (r.record ? [r.record] : [])));
    const uses = [
      ...panelQueries().map((q) => ({ where: `${q.dashboard} / ${q.panel}`, expr: q.expr })),
      ...rules.map((r) => ({ where: `${r.file}: ${r.name}`, expr: r.expr })),
    ];
    const unknown = uses.flatMap(({ where, expr }) =>
      metricNames(expr)
        .filter((name) => !exposed.has(name) && !recorded.has(name))
        .map((name) => `${where}: ${name}`),
    );
    assert.deepEqual(unknown, [], `names no scraped target exposes:\n  ${unknown.join('\n  ')}`);
    // Not vacuous: the name check knows the names, and refuses a plausible misspelling of one.
    assert.ok(
      exposed.has('envoy_http_downstream_rq_total') && exposed.has('shopstack_operator_reconcile_total'),
    );
    assert.ok(
      exposed.has('envoy_cluster_ratelimit_over_limit'),
      'the burst of sign-ins was not rate limited',
    );
    assert.equal(exposed.has('envoy_edge_rate_limit_http_local_rate_limit_rate_limited'), false);
  });

  it("the platform's rules load and evaluate on that Prometheus without errors", async () => {
    const response = await fetch(`${stack.prometheusUrl}/api/v1/rules`);
    const body = (await response.json()) as {
      data: { groups: { name: string; rules: { name: string; health: string; lastError?: string }[] }[] };
    };
    const loaded = body.data.groups.flatMap((g) => g.rules);
    assert.equal(loaded.length, platformRules().length);
    await eventually(async () => {
      const current = (await (await fetch(`${stack.prometheusUrl}/api/v1/rules`)).json()) as typeof body;
      return current.data.groups.flatMap((g) => g.rules).every((r) => r.health === 'ok');
    }, 30_000);
  });
});
