// The operator on a real API server, running as the chart's ServiceAccount (so RBAC is exercised),
// from applying the chart's example to garbage collection.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueServiceCertificate } from '@shopstack/kit/pki';
import { parse } from 'yaml';
import { SHOP_SERVICES } from '../../src/api/constants.js';
import type { KubeObject } from '../../src/api/shop-deployment.js';
import {
  eventually,
  getObject,
  type InstalledChart,
  installChart,
  kubectl,
  REPO_ROOT,
  serviceAccountKubeconfig,
  suffix,
} from '../support/cluster.js';
import { exampleDocumentsInShard } from '../support/fixtures.js';
import { OperatorProcess } from '../support/operator-process.js';

const DASHBOARDS_DIR = join(REPO_ROOT, 'observability/grafana/dashboards');

type Shop = KubeObject & {
  status?: {
    observedGeneration?: number;
    conditions?: { type: string; status: string; reason: string }[];
    readyServices?: string;
  };
};

describe('ShopDeployment operator on a real API server', function () {
  this.timeout(120_000);
  let chart: InstalledChart;
  let operator: OperatorProcess;
  let dir: string;
  let ns: string;
  const shopPath = () => `/apis/shopstack.io/v1alpha1/namespaces/${ns}/shopdeployments/shop`;
  const deploymentPath = (name: string) => `/apis/apps/v1/namespaces/${ns}/deployments/${name}`;
  const getShop = async () => {
    const shop = await getObject<Shop>(shopPath());
    assert.ok(shop, 'the shop is gone');
    return shop;
  };
  const condition = (shop: Shop, type: string) => shop.status?.conditions?.find((c) => c.type === type);
  const readyAt = async (generation: number) =>
    eventually(`shop Ready at generation ${generation}`, async () => {
      const shop = await getShop();
      return (
        shop.status?.observedGeneration === generation && condition(shop, 'Ready')?.status === 'True' && shop
      );
    });
  const writes = () => operator.sum('shopstack_operator_api_writes_total', 'purpose="reconcile"');

  before(async () => {
    ns = `op-e2e-${suffix()}`;
    dir = mkdtempSync(join(tmpdir(), 'operator-e2e-'));
    chart = await installChart(ns);
    const kubeconfig = await serviceAccountKubeconfig(chart, dir);
    operator = await OperatorProcess.start({
      kubeconfig,
      namespace: ns,
      leaseName: chart.fullname,
      identity: `e2e-${ns}`,
      shard: ns,
      // Frequent full relists, so the steady-state test sees one.
      env: { RELIST_SECONDS: '5' },
    });
    await kubectl(
      ['apply', '-n', ns, '-f', '-'],
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: exampleDocumentsInShard(ns) }),
    );
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.log(operator?.logs.slice(-30).join('\n'));
  });

  after(async () => {
    await operator?.stop();
    await chart?.uninstall();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('gives the ServiceAccount no more than it needs (Secrets: only to write by apply)', async () => {
    const subject = `system:serviceaccount:${ns}:${chart.serviceAccount}`;
    const can = (verb: string, resource: string, ...extra: string[]) =>
      kubectl(['auth', 'can-i', verb, resource, '-n', ns, '--as', subject, ...extra]).then(
        (out) => out.trim(),
        // `can-i` answers "no" on stdout with exit status 1.
        (error: { stdout?: string }) => (error.stdout ?? '').trim(),
      );
    // It issues the services' certificates into Secrets (server-side apply), never updates them.
    assert.equal(await can('patch', 'secrets'), 'yes');
    assert.equal(await can('update', 'secrets'), 'no');
    assert.equal(await can('update', 'deployments.apps'), 'no');
    assert.equal(await can('patch', 'deployments.apps'), 'yes');
    assert.equal(await can('patch', 'shopdeployments.shopstack.io', '--subresource=status'), 'yes');
    assert.equal(await can('update', 'shopdeployments.shopstack.io'), 'no', 'the spec belongs to users');
  });

  it("provisions Grafana with the repository's dashboards and the Prometheus and Jaeger data sources", async () => {
    const configMap = (name: string) =>
      eventually(`configmap ${name}`, () =>
        getObject<KubeObject & { data: Record<string, string> }>(
          `/api/v1/namespaces/${ns}/configmaps/${name}`,
        ),
      );
    const dashboards = await configMap('shop-grafana-dashboards');
    const committed = readdirSync(DASHBOARDS_DIR).filter((f) => f.endsWith('.json'));
    assert.deepEqual(Object.keys(dashboards.data).sort(), committed.sort());
    for (const file of committed) {
      assert.equal(dashboards.data[file], readFileSync(join(DASHBOARDS_DIR, file), 'utf8'), file);
    }
    const provisioning = await configMap('shop-grafana');
    const { datasources } = parse(provisioning.data['datasources.yaml']!) as {
      datasources: { uid: string; url: string }[];
    };
    assert.deepEqual(
      datasources.map((d) => [d.uid, d.url]),
      [
        ['prometheus', 'http://shop-prometheus:9090'],
        ['jaeger', 'http://shop-jaeger:16686'],
      ],
    );
    assert.match(provisioning.data['dashboards.yaml']!, /path: \/var\/lib\/grafana\/dashboards/);
  });

  it('creates every child with the shop as its controlling owner', async () => {
    const shop = await getShop();
    const expected = [
      ...SHOP_SERVICES.flatMap((s) => [`deployments/shop-${s}`, `services/shop-${s}`]),
      'deployments/shop-edge',
      'services/shop-edge',
      'configmaps/shop-edge',
      'deployments/shop-prometheus',
      'configmaps/shop-prometheus',
      'deployments/shop-grafana',
      'configmaps/shop-grafana-dashboards',
      'poddisruptionbudgets/shop-orders',
      // Stored, not enforced: the local cluster runs no NetworkPolicy-enforcing CNI.
      'networkpolicies/shop-default-deny-ingress',
      ...SHOP_SERVICES.map((s) => `networkpolicies/shop-${s}-ingress`),
      'networkpolicies/shop-ratelimit-ingress',
      'secrets/shop-grpc-ca',
      ...SHOP_SERVICES.map((s) => `secrets/shop-${s}-grpc-tls`),
    ];
    const base = (resource: string) =>
      resource.startsWith('deployments')
        ? `/apis/apps/v1/namespaces/${ns}/${resource}`
        : resource.startsWith('poddisruptionbudgets')
          ? `/apis/policy/v1/namespaces/${ns}/${resource}`
          : resource.startsWith('networkpolicies')
            ? `/apis/networking.k8s.io/v1/namespaces/${ns}/${resource}`
            : `/api/v1/namespaces/${ns}/${resource}`;
    for (const resource of expected) {
      const child = await eventually(`${resource} to exist`, () => getObject(base(resource)));
      const owner = child.metadata.ownerReferences?.[0];
      assert.equal(owner?.uid, shop.metadata.uid, `${resource} owner`);
      assert.equal(owner?.controller, true);
      const managers =
        (child.metadata as { managedFields?: { manager: string; operation: string }[] }).managedFields ?? [];
      assert.ok(
        managers.some((m) => m.manager === 'shopstack-operator' && m.operation === 'Apply'),
        `${resource} applied server-side`,
      );
    }
    // Sent as rendered: client-node's typed models call a rule's peers `_from`, and would drop them.
    const orders = await getObject<{ spec: { ingress: { from?: unknown[] }[] } }>(
      base('networkpolicies/shop-orders-ingress'),
    );
    assert.ok(
      orders?.spec.ingress.every((rule) => (rule.from?.length ?? 0) > 0),
      JSON.stringify(orders?.spec),
    );
  });

  it('becomes Ready once kwok makes the pods ready, with observedGeneration and the edge URL', async () => {
    const shop = await readyAt(1);
    assert.equal(shop.status?.readyServices, '6/6');
    assert.equal(condition(shop, 'Reconciling')?.status, 'False');
    assert.equal(condition(shop, 'Stalled')?.status, 'False');
    const table = await kubectl(['get', 'shop', '-n', ns]);
    assert.match(table, /shop\s+True\s+6\/6\s+https:\/\/shop-edge\.[-a-z0-9]+\.svc:8080/);
  });

  it("makes a minimal ShopDeployment (only its Secrets) Ready with the release's images", async () => {
    const mini = {
      apiVersion: 'shopstack.io/v1alpha1',
      kind: 'ShopDeployment',
      metadata: { name: 'mini', labels: { 'shopstack.io/shard': ns } },
      spec: {
        secrets: {
          rabbitmq: { name: 'shop-rabbitmq' },
          redis: { name: 'shop-redis' },
          paymentsWebhook: { name: 'shop-payments' },
          smtp: { name: 'shop-notifications', key: 'smtp-url' },
          unsubscribeSigning: { name: 'shop-notifications', key: 'unsubscribe-secret' },
        },
      },
    };
    await kubectl(['apply', '-n', ns, '-f', '-'], JSON.stringify(mini));
    try {
      const path = `/apis/shopstack.io/v1alpha1/namespaces/${ns}/shopdeployments/mini`;
      await eventually('minimal shop Ready', async () => {
        const shop = await getObject<Shop>(path);
        return shop && condition(shop, 'Ready')?.status === 'True' && shop;
      });
      type Env = { name: string; valueFrom?: { secretKeyRef: unknown } };
      type Workload = KubeObject & {
        spec: { replicas: number; template: { spec: { containers: { image: string; env: Env[] }[] } } };
      };
      const orders = await getObject<Workload>(deploymentPath('mini-orders'));
      const container = orders?.spec.template.spec.containers[0];
      assert.equal(container?.image, 'ghcr.io/shopstack/orders:0.1.0');
      const database = container?.env.find((e) => e.name === 'DATABASE_URL');
      assert.deepEqual(database?.valueFrom?.secretKeyRef, { name: 'mini-orders-database', key: 'url' });
      // Every service has an image: each one runs its two pods by default.
      for (const service of ['notifications', 'backoffice']) {
        const workload = await getObject<Workload>(deploymentPath(`mini-${service}`));
        assert.equal(workload?.spec.replicas, 2, `${service} runs by default`);
        assert.equal(workload?.spec.template.spec.containers[0]?.image, `ghcr.io/shopstack/${service}:0.1.0`);
      }
    } finally {
      await kubectl(['delete', 'shop', 'mini', '-n', ns]);
    }
    // Gone with its children before the next test counts writes: a reconcile of mini still queued
    // when its children go would apply them again.
    for (const service of SHOP_SERVICES)
      await eventually(
        `mini-${service} collected`,
        async () => !(await getObject(deploymentPath(`mini-${service}`))),
      );
    await eventually(
      'the queue to drain',
      async () => (await operator.sum('shopstack_operator_workqueue_depth')) === 0,
    );
  });

  it('sends no writes while nothing changes, even when asked to look again', async () => {
    const before = await writes();
    const reconciles = await operator.sum('shopstack_operator_reconcile_total');
    const statusWrites = await operator.sum('shopstack_operator_api_writes_total', 'purpose="status"');
    // A metadata-only change triggers a reconcile without changing the spec.
    await kubectl(['annotate', 'shop', 'shop', '-n', ns, `test/poke=${suffix()}`]);
    await eventually(
      'the poke to be reconciled',
      async () => (await operator.sum('shopstack_operator_reconcile_total')) > reconciles,
    );
    assert.equal(await writes(), before);
    // A full relist re-delivers every object and reconciles the shop again: still nothing to write.
    const relists = await operator.sum('shopstack_operator_watch_restarts_total', 'reason="relist"');
    await eventually(
      'a full relist of every resource',
      async () =>
        (await operator.sum('shopstack_operator_watch_restarts_total', 'reason="relist"')) >= relists + 5,
    );
    await eventually(
      'the queue to drain',
      async () => (await operator.sum('shopstack_operator_workqueue_depth')) === 0,
    );
    assert.equal(await writes(), before);
    assert.equal(await operator.sum('shopstack_operator_api_writes_total', 'purpose="status"'), statusWrites);
  });

  it('follows a replica change, and drops the PDB when one replica is left', async () => {
    await kubectl([
      'patch',
      'shop',
      'shop',
      '-n',
      ns,
      '--type=merge',
      '-p',
      '{"spec":{"services":{"orders":{"replicas":1}}}}',
    ]);
    await eventually('orders to scale to 1', async () => {
      const deployment = await getObject<{ spec: { replicas: number } }>(deploymentPath('shop-orders'));
      return deployment?.spec.replicas === 1;
    });
    await eventually(
      'the orders PDB to go',
      async () => !(await getObject(`/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets/shop-orders`)),
    );
    await readyAt(2);
  });

  it('reverts a hand edit of a child', async () => {
    await kubectl(['scale', 'deployment', 'shop-users', '-n', ns, '--replicas=5']);
    await kubectl([
      'patch',
      'configmap',
      'shop-edge',
      '-n',
      ns,
      '--type=merge',
      '-p',
      '{"data":{"envoy.yaml":"hacked"}}',
    ]);
    await eventually('users back to 2 replicas', async () => {
      const deployment = await getObject<{ spec: { replicas: number } }>(deploymentPath('shop-users'));
      return deployment?.spec.replicas === 2;
    });
    await eventually('the edge config restored', async () => {
      const config = await getObject<{ data: Record<string, string> }>(
        `/api/v1/namespaces/${ns}/configmaps/shop-edge`,
      );
      return config?.data['envoy.yaml']?.includes('jwt_authn');
    });
  });

  it('recreates a deleted child', async () => {
    const old = await getObject(deploymentPath('shop-catalog'));
    await kubectl(['delete', 'deployment', 'shop-catalog', '-n', ns, '--wait=false']);
    await eventually('catalog recreated', async () => {
      const fresh = await getObject(deploymentPath('shop-catalog'));
      return fresh && fresh.metadata.uid !== old?.metadata.uid && !fresh.metadata.deletionTimestamp;
    });
    await readyAt(2);
  });

  it('reports Stalled when the API refuses a child, and recovers once it no longer does', async () => {
    const capped = `${ns}-quota`;
    await kubectl(['create', 'namespace', capped]);
    try {
      await kubectl(['create', 'quota', 'two-deployments', '-n', capped, '--hard=count/deployments.apps=2']);
      await eventually('the quota to be counted', async () => {
        const quota = await getObject<{ status?: { hard?: object } }>(
          `/api/v1/namespaces/${capped}/resourcequotas/two-deployments`,
        );
        return quota?.status?.hard !== undefined;
      });
      const shop = exampleDocumentsInShard(ns).find((doc) => doc.kind === 'ShopDeployment')!;
      await kubectl(
        ['apply', '-n', capped, '-f', '-'],
        JSON.stringify({ ...shop, metadata: { ...shop.metadata, name: 'capped' } }),
      );
      const path = `/apis/shopstack.io/v1alpha1/namespaces/${capped}/shopdeployments/capped`;
      const stalled = await eventually('Stalled=True', async () => {
        const current = await getObject<Shop>(path);
        const condition = current?.status?.conditions?.find((c) => c.type === 'Stalled');
        return condition?.status === 'True' && condition;
      });
      assert.equal(stalled.reason, 'ApplyRejected');
      const ready = (await getObject<Shop>(path))?.status?.conditions?.find((c) => c.type === 'Ready');
      assert.equal(ready?.status, 'False');
      assert.match((ready as { message?: string } | undefined)?.message ?? '', /exceeded quota/);

      await kubectl(['delete', 'quota', 'two-deployments', '-n', capped]);
      await eventually(
        'Ready once the quota is gone',
        async () => {
          const current = await getObject<Shop>(path);
          const conditions = current?.status?.conditions ?? [];
          return (
            conditions.find((c) => c.type === 'Ready')?.status === 'True' &&
            conditions.find((c) => c.type === 'Stalled')?.status === 'False'
          );
        },
        90_000,
      );
    } finally {
      await kubectl(['delete', 'namespace', capped, '--wait=false']);
    }
  });

  it('records Events on the shop', async () => {
    const events = JSON.parse(
      await kubectl([
        'get',
        'events',
        '-n',
        ns,
        '--field-selector',
        'involvedObject.name=shop,involvedObject.kind=ShopDeployment',
        '-o',
        'json',
      ]),
    ) as { items: { reason: string }[] };
    const reasons = new Set(events.items.map((e) => e.reason));
    for (const reason of ['Created', 'Ready', 'Updated', 'Deleted'])
      assert.ok(reasons.has(reason), `no ${reason} event in ${[...reasons]}`);
  });

  it("rotates a service's certificate before it expires, from the shop's CA", async () => {
    type Secret = KubeObject & { data: Record<string, string> };
    const secret = (name: string) =>
      eventually(`secret ${name}`, () => getObject<Secret>(`/api/v1/namespaces/${ns}/secrets/${name}`));
    const pem = (from: Secret, key: string) => Buffer.from(from.data[key]!, 'base64').toString('utf8');
    const certOf = async (name: string) => new X509Certificate(pem(await secret(name), 'tls.crt'));
    const caSecret = await secret('shop-grpc-ca');
    const ca = { cert: pem(caSecret, 'ca.crt'), key: pem(caSecret, 'ca.key') };
    const caKey = new X509Certificate(ca.cert).publicKey;
    const first = await certOf('shop-payments-grpc-tls');
    const ordersBefore = await certOf('shop-orders-grpc-tls');
    assert.match(first.subjectAltName ?? '', /^URI:spiffe:\/\/shopstack\/payments, DNS:shop-payments,/);
    assert.ok(first.verify(caKey));
    // A certificate of the same CA with 10 of its 90 days left, as if the shop had run for 80 days.
    const aging = await issueServiceCertificate(ca, {
      service: 'payments',
      dnsNames: [
        'shop-payments',
        `shop-payments.${ns}`,
        `shop-payments.${ns}.svc`,
        `shop-payments.${ns}.svc.cluster.local`,
      ],
      validityDays: 90,
      now: new Date(Date.now() - 80 * 86_400_000),
    });
    const agingSerial = new X509Certificate(aging.cert).serialNumber;
    const data = {
      'tls.crt': Buffer.from(aging.cert).toString('base64'),
      'tls.key': Buffer.from(aging.key).toString('base64'),
    };
    await kubectl([
      'patch',
      'secret',
      'shop-payments-grpc-tls',
      '-n',
      ns,
      '--type=merge',
      '-p',
      JSON.stringify({ data }),
    ]);
    const renewed = await eventually('a renewed payments certificate', async () => {
      const cert = await certOf('shop-payments-grpc-tls');
      return ![first.serialNumber, agingSerial].includes(cert.serialNumber) && cert;
    });
    const daysLeft = (new Date(renewed.validTo).getTime() - Date.now()) / 86_400_000;
    assert.ok(daysLeft > 89, `a fresh 90-day certificate (${daysLeft.toFixed(1)} days left)`);
    assert.ok(renewed.verify(caKey), 'from the same CA');
    assert.equal(pem(await secret('shop-payments-grpc-tls'), 'ca.crt'), ca.cert);
    // The other services' certificates were still good and stay as they were.
    assert.equal((await certOf('shop-orders-grpc-tls')).serialNumber, ordersBefore.serialNumber);
  });

  it('leaves the children to the garbage collector when the shop is deleted', async () => {
    await kubectl(['delete', 'shop', 'shop', '-n', ns, '--wait=false']);
    await eventually(
      'children garbage-collected',
      async () => {
        const left = await kubectl([
          'get',
          'deployments,services,configmaps,poddisruptionbudgets,networkpolicies',
          '-n',
          ns,
          '-l',
          'shopstack.io/shop=shop',
          '-o',
          'name',
        ]);
        return left.trim() === '';
      },
      90_000,
    );
    assert.ok(operator.alive);
  });
});
