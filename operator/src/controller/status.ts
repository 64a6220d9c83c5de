// Computes a ShopDeployment's status from its children as the caches see them. Pure.
import { SHOP_SERVICES } from '../api/constants.js';
import type { KubeObject, ShopDeployment } from '../api/shop-deployment.js';
import type { ComponentStatus, Condition, ShopDeploymentStatus } from '../api/status.js';
import { edgeScheme, edgeUrl } from '../render/index.js';

export interface DeploymentState {
  component: string;
  desired: number;
  /** The Deployment as the cache has it; undefined if it does not exist (yet). */
  observed: KubeObject | undefined;
}

interface DeploymentStatusFields {
  observedGeneration?: number;
  replicas?: number;
  readyReplicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
}

/** A component is ready when its Deployment has rolled out the current spec and all pods are ready. */
export function componentStatus(state: DeploymentState): ComponentStatus & { rolledOut: boolean } {
  const deployment = state.observed;
  const status = (deployment?.status ?? {}) as DeploymentStatusFields;
  const ready = status.readyReplicas ?? 0;
  const rolledOut =
    deployment !== undefined &&
    (status.observedGeneration ?? 0) >= (deployment.metadata.generation ?? 0) &&
    (status.updatedReplicas ?? 0) >= state.desired &&
    (status.availableReplicas ?? 0) >= state.desired &&
    (status.replicas ?? 0) === state.desired &&
    ready >= state.desired;
  return { name: state.component, desired: state.desired, ready: Math.min(ready, state.desired), rolledOut };
}

/**
 * Where clients reach the edge: the load balancer's address once the cloud has assigned one, else the
 * Service's cluster DNS name.
 */
export function edgeEndpoint(shop: ShopDeployment, edgeService: KubeObject | undefined): string {
  const status = edgeService?.status as
    | { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } }
    | undefined;
  const ingress = status?.loadBalancer?.ingress?.[0];
  const host = ingress?.ip ?? ingress?.hostname;
  return host ? `${edgeScheme(shop)}://${host}:${shop.spec.edge.port}` : edgeUrl(shop);
}

export interface StatusInput {
  shop: ShopDeployment;
  deployments: DeploymentState[];
  /** A problem that retrying cannot fix without a change to the spec or the cluster. */
  stalled?: { reason: string; message: string };
  /** Where the edge answers; undefined while the spec cannot be read. */
  edgeUrl: string | undefined;
  now: string;
}

function condition(
  type: string,
  status: boolean,
  reason: string,
  message: string,
  input: StatusInput,
): Condition {
  const previous = input.shop.status?.conditions?.find((c) => c.type === type);
  const value = status ? 'True' : 'False';
  return {
    type,
    status: value,
    reason,
    message,
    // The transition time changes only when the status flips, as Kubernetes conventions require.
    lastTransitionTime: previous && previous.status === value ? previous.lastTransitionTime : input.now,
    observedGeneration: input.shop.metadata.generation,
  };
}

export function computeStatus(input: StatusInput): ShopDeploymentStatus {
  const components = input.deployments.map(componentStatus);
  const notReady = components.filter((c) => !c.rolledOut).map((c) => `${c.name} ${c.ready}/${c.desired}`);
  const services = components.filter((c) => (SHOP_SERVICES as readonly string[]).includes(c.name));
  const readyServices = services.filter((c) => c.rolledOut).length;
  const ready = notReady.length === 0 && !input.stalled;
  const conditions = [
    condition(
      'Ready',
      ready,
      input.stalled ? input.stalled.reason : ready ? 'AllComponentsReady' : 'ComponentsNotReady',
      input.stalled
        ? input.stalled.message
        : ready
          ? 'every component is rolled out and ready'
          : `waiting for ${notReady.join(', ')}`,
      input,
    ),
    condition(
      'Reconciling',
      !ready && !input.stalled,
      ready ? 'ReconcileComplete' : input.stalled ? 'Stalled' : 'RollingOut',
      ready
        ? 'nothing left to do'
        : input.stalled
          ? 'blocked, see Stalled'
          : `rolling out ${notReady.join(', ')}`,
      input,
    ),
    condition(
      'Stalled',
      input.stalled !== undefined,
      input.stalled?.reason ?? 'NotStalled',
      input.stalled?.message ?? 'progressing normally',
      input,
    ),
  ];
  return {
    observedGeneration: input.shop.metadata.generation,
    conditions,
    components: components.map(({ rolledOut: _, ...c }) => c),
    readyServices: `${readyServices}/${services.length}`,
    edge: input.edgeUrl ? { url: input.edgeUrl } : {},
  };
}

/** Status equality that ignores nothing: computeStatus keeps times stable, so equal means no write. */
export function sameStatus(a: ShopDeploymentStatus | undefined, b: ShopDeploymentStatus): boolean {
  return JSON.stringify(normalize(a ?? {})) === JSON.stringify(normalize(b));
}

function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, normalize(v)]),
    );
  }
  return value;
}
