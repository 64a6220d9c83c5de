// biome-ignore-all lint/suspicious/noExplicitAny: the tests walk rendered manifests
// Who may reach what, evaluated the way the NetworkPolicy API defines it over the rendered pods'
// labels, and compared with what the table of services (peers) and the services' environment say.
import assert from 'node:assert/strict';
import { GRPC_PORT, HTTP_PORT, SHOP_SERVICES, type ShopService } from '../../src/api/constants.js';
import type { KubeObject } from '../../src/api/shop-deployment.js';
import { PLATFORM_SERVICES } from '../../src/platform/services.js';
import { renderShop, serviceEnv } from '../../src/render/index.js';
import { exampleShopObject, minimalShop, shopFrom } from '../support/fixtures.js';

type Labels = Record<string, string>;
type Selector = {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: string; values: string[] }[];
};

function selects(selector: Selector, labels: Labels): boolean {
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpression = (selector.matchExpressions ?? []).every((e) => {
    assert.equal(e.operator, 'In', 'the evaluator knows only In');
    return e.values.includes(labels[e.key] ?? '');
  });
  return byLabel && byExpression;
}

/** Pod labels by component, from the rendered Deployments' templates. */
function podLabels(objects: KubeObject[]): Map<string, Labels> {
  const pods = new Map<string, Labels>();
  for (const o of objects as any[]) {
    if (o.kind !== 'Deployment') continue;
    pods.set(o.metadata.name.replace(/^shop-|^mini-/, ''), o.spec.template.metadata.labels);
  }
  return pods;
}

/** Whether a pod of `from` may open `port` on a pod of `to`: isolated pods admit only what a rule allows. */
function mayReach(objects: KubeObject[], from: string, to: string, port: number): boolean {
  const pods = podLabels(objects);
  const source = pods.get(from);
  const target = pods.get(to);
  assert.ok(source && target, `${from} or ${to} has no pods`);
  const policies = (objects as any[]).filter(
    (o) => o.kind === 'NetworkPolicy' && selects(o.spec.podSelector, target),
  );
  if (policies.length === 0) return true;
  return policies.some((p) =>
    (p.spec.ingress ?? []).some(
      (rule: any) =>
        rule.ports.some((q: any) => q.port === port) &&
        rule.from.some((peer: any) => selects(peer.podSelector, source)),
    ),
  );
}

const example = shopFrom(exampleShopObject());

/** The host a service fetches signing keys from, as its rendered environment says. */
function jwksHost(name: ShopService): string {
  const variable = serviceEnv(example, name).find((e) => e.name === 'JWKS_URL');
  assert.ok(variable && 'value' in variable, `${name} has no JWKS_URL`);
  return new URL(variable.value).hostname;
}

/** Where a service's LOG_SINK_URL points, read from its rendered environment like JWKS_URL. */
function logSinkHost(name: ShopService): string {
  const variable = serviceEnv(example, name).find((e) => e.name === 'LOG_SINK_URL');
  assert.ok(variable && 'value' in variable, `${name} has no LOG_SINK_URL`);
  return new URL(variable.value).hostname;
}

describe('NetworkPolicies', () => {
  const objects = renderShop(example, { dashboards: {} });
  const components = [...podLabels(objects).keys()];

  it('isolates every service pod and the rate limit service, and no other pod', () => {
    for (const component of components) {
      const isolated = (objects as any[]).some(
        (o) =>
          o.kind === 'NetworkPolicy' && selects(o.spec.podSelector, podLabels(objects).get(component) ?? {}),
      );
      assert.equal(isolated, [...SHOP_SERVICES, 'ratelimit'].includes(component), component);
    }
  });

  it("opens a service's gRPC port only to the services that list it among their peers", () => {
    for (const target of SHOP_SERVICES) {
      for (const from of components) {
        const caller = (SHOP_SERVICES as readonly string[]).includes(from);
        const expected = caller && PLATFORM_SERVICES[from as ShopService].peers.includes(target);
        assert.equal(mayReach(objects, from, target, GRPC_PORT), expected, `${from} → ${target} gRPC`);
      }
    }
    assert.ok(mayReach(objects, 'orders', 'payments', GRPC_PORT), 'the table has orders call payments');
  });

  it("opens HTTP ports to the edge and Prometheus, users' JWKS and the back office's log intake to every service", () => {
    for (const target of SHOP_SERVICES) {
      for (const from of components) {
        const service = (SHOP_SERVICES as readonly string[]).includes(from) && from !== target;
        const readsJwks = service && jwksHost(from as ShopService) === `shop-${target}`;
        const shipsLogs = service && logSinkHost(from as ShopService) === `shop-${target}`;
        const expected = from === 'edge' || from === 'prometheus' || readsJwks || shipsLogs;
        assert.equal(mayReach(objects, from, target, HTTP_PORT), expected, `${from} → ${target} HTTP`);
      }
    }
  });

  it("opens the rate limit service's gRPC port to the edge alone, and its HTTP port to no one", () => {
    for (const from of components) {
      assert.equal(mayReach(objects, from, 'ratelimit', GRPC_PORT), from === 'edge', `${from} → ratelimit`);
      assert.equal(mayReach(objects, from, 'ratelimit', HTTP_PORT), false, `${from} → ratelimit HTTP`);
    }
  });

  it('admits no Prometheus when the shop runs none', () => {
    const mini = renderShop(minimalShop({ observability: { prometheus: { enabled: false } } }), {
      dashboards: {},
    });
    const rules = (mini as any[])
      .filter((o) => o.kind === 'NetworkPolicy')
      .flatMap((o) => o.spec.ingress ?? [])
      .flatMap((r: any) => r.from);
    assert.ok(rules.length > 0);
    assert.ok(
      !rules.some(
        (peer: any) => peer.podSelector.matchLabels['app.kubernetes.io/component'] === 'prometheus',
      ),
    );
  });
});
