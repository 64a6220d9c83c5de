// The shop on the local cluster's real node: the images built without Docker (scripts/images.sh),
// the kind workflow's dependency manifests with those images, and the example ShopDeployment placed
// on the real node with them. What differs from the kind path is only which images run, and the
// MongoDB stand-in (FerretDB) where mongod cannot.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { SHOP_SERVICES, type ShopService } from '@shopstack/operator';
import { parseAllDocuments } from 'yaml';
import { infraEnv } from '../support/env.js';

const run = promisify(execFile);
const REPO_ROOT = new URL('../../', import.meta.url).pathname;
export const DEPENDENCIES_FILE = `${REPO_ROOT}charts/ci/dependencies.yaml`;
export const EXAMPLE_SHOP_FILE = `${REPO_ROOT}charts/shopstack-operator/examples/shop.yaml`;

// biome-ignore lint/suspicious/noExplicitAny: manifests are free-form YAML
export type Manifest = Record<string, any>;
export type Images = Record<string, string>;

/** Every pod of the shop on the real node (it is tainted, so only pods that ask land there). */
export const REAL_NODE = {
  nodeSelector: { 'shopstack.io/node': 'real' },
  tolerations: [{ key: 'shopstack.io/node', operator: 'Equal', value: 'real', effect: 'NoSchedule' }],
};

/** Builds what changed and imports it into the node's containerd; image name → reference. */
export async function buildImages(names: string[] = []): Promise<Images> {
  const { stdout } = await run('bash', [`${REPO_ROOT}scripts/images.sh`, ...names], {
    maxBuffer: 16 << 20,
    timeout: 900_000,
  });
  return Object.fromEntries(
    stdout
      .trim()
      .split('\n')
      .map((line) => line.split(' ') as [string, string]),
  );
}

/**
 * The image under another reference in the node's containerd: a new release of it, as far as the
 * kubelet and a Deployment's rollout can tell (they compare references), built in no time.
 */
export async function retagImage(reference: string, tag: string): Promise<string> {
  const next = `${reference.slice(0, reference.lastIndexOf(':'))}:${tag}`;
  await run('ctr', [
    '--address',
    infraEnv('NODE_CONTAINERD_SOCK'),
    '-n',
    'k8s.io',
    'images',
    'tag',
    '--force',
    reference,
    next,
  ]);
  return next;
}

function readManifests(file: string): Manifest[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((doc) => doc.toJSON() as Manifest | null)
    .filter((doc): doc is Manifest => doc !== null);
}

/** Upstream image of the kind manifests → the local image that stands in for it. */
const STAND_INS: Record<string, string> = {
  'postgres:16': 'postgres',
  'rabbitmq:3.13': 'rabbitmq',
  'redis:7': 'redis',
  'mongo:7': 'mongodb',
};

/**
 * charts/ci/dependencies.yaml as it runs here: each container's image replaced by its local stand-in,
 * every pod on the real node. mongod cannot run here: FerretDB takes its place, and since the stand-in
 * has no mongosh, its readiness is the wire port answering.
 */
export function dependencyManifests(images: Images): Manifest[] {
  return readManifests(DEPENDENCIES_FILE).map((object) => {
    if (object.kind !== 'Deployment') return object;
    const pod = object.spec.template.spec;
    Object.assign(pod, REAL_NODE);
    for (const container of pod.containers) {
      const standIn = STAND_INS[container.image];
      if (!standIn || !images[standIn]) throw new Error(`no local image stands in for ${container.image}`);
      container.image = images[standIn];
      container.imagePullPolicy = 'Never';
      if (standIn === 'mongodb') {
        container.readinessProbe = { tcpSocket: { port: 27017 }, periodSeconds: 2 };
      }
    }
    return object;
  });
}

/** How big the shop is on the one real node: two of what the failure tests take down, one of the rest. */
export const LOCAL_SIZE = {
  replicas: { users: 1, catalog: 1, orders: 2, payments: 1, notifications: 1, backoffice: 1 },
  edgeReplicas: 2,
};

export interface ShopOptions {
  /** Label the operator's shard selects, so only the test's operator acts on this shop; none: `npm start`'s operator. */
  shard?: string;
  replicas: Partial<Record<ShopService, number>>;
  edgeReplicas: number;
}

/**
 * The example shop (its Secrets pointing at the dependencies above) with the local images, on the
 * real node. Grafana and Jaeger have no local image, so they are off; Prometheus and Alertmanager run.
 */
export function shopManifests(images: Images, options: ShopOptions): Manifest[] {
  return readManifests(EXAMPLE_SHOP_FILE).map((object) => {
    if (object.kind !== 'ShopDeployment') return object;
    const spec = object.spec;
    if (options.shard)
      object.metadata.labels = { ...object.metadata.labels, 'shopstack.io/shard': options.shard };
    spec.images = { registry: 'shopstack.local', pullPolicy: 'Never' };
    // A small node shared with other work: modest requests, so every pod is scheduled.
    const resources = { requests: { cpu: '20m', memory: '64Mi' }, limits: { memory: '256Mi' } };
    for (const [name, replicas] of Object.entries(options.replicas)) {
      spec.services[name] = { ...spec.services[name], replicas, image: images[name], resources };
    }
    spec.edge.replicas = options.edgeReplicas;
    // Targets show up within seconds rather than a quarter of a minute.
    spec.observability = {
      ...spec.observability,
      prometheus: { ...spec.observability?.prometheus, scrapeInterval: '5s' },
    };
    spec.edge.image = images.envoy;
    // Plain HTTP, switched on explicitly as npm start does: the edge Service is reachable only from
    // this machine (the bridge), and the tests and the walk-through speak HTTP to it.
    spec.edge.tls = { enabled: false };
    spec.edge.resources = resources;
    spec.edge.rateLimitService = {
      ...spec.edge.rateLimitService,
      replicas: 1,
      image: images.ratelimit,
      resources,
    };
    // Sign-ups and logins of a test come faster than a person's.
    spec.edge.authRateLimit = { requestsPerSecond: 50, burst: 200 };
    spec.edge.rateLimit = { requestsPerSecond: 500, burst: 1000 };
    spec.edge.userRateLimit = { requestsPerSecond: 200, burst: 400 };
    spec.observability = {
      prometheus: { enabled: true, retention: '1d', image: images.prometheus, resources },
      grafana: { enabled: false },
      tracing: { jaeger: { enabled: false } },
      alerting: { enabled: true, image: images.alertmanager, webhooks: [], resources },
    };
    spec.placement = REAL_NODE;
    return object;
  });
}

export async function kubectl(args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      infraEnv('KUBECTL_BIN'),
      args,
      { env: { ...process.env, KUBECONFIG: infraEnv('KUBECONFIG') }, maxBuffer: 64 << 20 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`kubectl ${args.join(' ')}: ${stderr || error.message}`)) : resolve(stdout),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

export async function apply(namespace: string, manifests: Manifest[]): Promise<void> {
  await kubectl(
    ['apply', '-n', namespace, '-f', '-'],
    JSON.stringify({ kind: 'List', apiVersion: 'v1', items: manifests }),
  );
}

export function kubeClients() {
  const config = new k8s.KubeConfig();
  config.loadFromFile(infraEnv('KUBECONFIG'));
  return { core: config.makeApiClient(k8s.CoreV1Api), apps: config.makeApiClient(k8s.AppsV1Api) };
}

/** Pods of the namespace, with whether each is Running and Ready (by its own probes). */
export async function podStates(namespace: string, labelSelector?: string) {
  const { core } = kubeClients();
  const pods = await core.listNamespacedPod({ namespace, ...(labelSelector ? { labelSelector } : {}) });
  return pods.items.map((pod) => ({
    name: pod.metadata!.name!,
    component: pod.metadata?.labels?.['app.kubernetes.io/name'] ?? pod.metadata?.labels?.app ?? '',
    ip: pod.status?.podIP,
    node: pod.spec?.nodeName,
    deleting: Boolean(pod.metadata?.deletionTimestamp),
    running: pod.status?.phase === 'Running',
    ready: pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    restarts: (pod.status?.containerStatuses ?? []).reduce((sum, c) => sum + c.restartCount, 0),
    images: (pod.spec?.containers ?? []).map((c) => c.image ?? ''),
  }));
}

/** The ClusterIP address of a Service's named port, reachable from this machine through kube-proxy. */
export async function serviceUrl(namespace: string, name: string, port: string): Promise<string> {
  const { core } = kubeClients();
  const svc = await core.readNamespacedService({ namespace, name });
  const found = svc.spec?.ports?.find((p) => p.name === port);
  if (!svc.spec?.clusterIP || !found) throw new Error(`service ${name} has no ClusterIP port ${port}`);
  return `http://${svc.spec.clusterIP}:${found.port}`;
}

/** The kind workflow's dependencies, by the component label of their pods. */
export const DEPENDENCIES = ['postgres', 'rabbitmq', 'redis', 'mongodb'];

/** The namespace's pods when every expected component has one and all are Running and Ready; else undefined. */
export async function readyPods(namespace: string, expected: string[]) {
  const pods = (await podStates(namespace)).filter((p) => !p.deleting);
  const present = new Set(pods.map((p) => p.component));
  return expected.every((c) => present.has(c)) && pods.every((p) => p.running && p.ready) ? pods : undefined;
}

/** The ShopDeployment `shop` of the namespace reports Ready=True. */
export async function shopIsReady(namespace: string): Promise<boolean> {
  const ready = await kubectl([
    'get',
    'shop',
    'shop',
    '-n',
    namespace,
    '-o',
    'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
  ]);
  return ready.trim() === 'True';
}

/** The edge health-checks its upstreams on its own clock: serving once every service's document is. */
export async function edgeServesEveryService(edgeUrl: string): Promise<boolean> {
  const replies = await Promise.all(
    SHOP_SERVICES.map((s) => fetch(`${edgeUrl}/api/${s}/openapi.json`).then((r) => r.status)),
  );
  return replies.every((status) => status === 200);
}

/** Makes a registered account the shop's admin, as an operator of the shop does: users' CLI on its database. */
export async function appointAdmin(email: string, postgresIp: string): Promise<void> {
  await run(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions',
      'shopstack-source',
      `${REPO_ROOT}services/users/src/cli/appoint-role.ts`,
      email,
      'admin',
    ],
    { env: { ...process.env, DATABASE_URL: `postgres://shop:change-me@${postgresIp}:5432/users` } },
  );
}
