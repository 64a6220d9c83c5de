// Building blocks of a hardened Deployment, shared by the services, the edge, Prometheus and Grafana.
import type { KubeObject, ShopDeployment } from '../api/shop-deployment.js';
import { type Component, childMeta, labels, selectorLabels } from './meta.js';

/** The non-root user the services' images run as (services/Dockerfile: USER 65532:65532). */
export const SERVICE_UID = 65532;

export const restrictedContainerSecurity = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

export interface WorkloadInput {
  shop: ShopDeployment;
  component: Component;
  replicas: number;
  containers: Record<string, unknown>[];
  volumes?: Record<string, unknown>[];
  /** Pod annotations; a config hash here rolls the pods when their ConfigMap changes. */
  podAnnotations?: Record<string, string>;
  /** Some upstream images run as a fixed non-root user; give it explicitly so runAsNonRoot can verify it. */
  runAsUser?: number;
  /** How long the kubelet waits after the preStop hook and SIGTERM before it kills the pod. */
  terminationGracePeriodSeconds?: number;
}

export function deployment(input: WorkloadInput): KubeObject {
  const { shop, component } = input;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: childMeta(shop, component),
    spec: {
      replicas: input.replicas,
      revisionHistoryLimit: 3,
      selector: { matchLabels: selectorLabels(shop, component) },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: {
          labels: labels(shop, component),
          ...(input.podAnnotations ? { annotations: input.podAnnotations } : {}),
        },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: {
            runAsNonRoot: true,
            ...(input.runAsUser === undefined
              ? {}
              : { runAsUser: input.runAsUser, fsGroup: input.runAsUser }),
          },
          ...placement(shop),
          ...(input.terminationGracePeriodSeconds === undefined
            ? {}
            : { terminationGracePeriodSeconds: input.terminationGracePeriodSeconds }),
          containers: input.containers,
          ...(input.volumes ? { volumes: input.volumes } : {}),
        },
      },
    },
  };
}

/** The spec's nodeSelector and tolerations, on every pod of the shop. */
function placement(shop: ShopDeployment) {
  const { nodeSelector, tolerations } = shop.spec.placement ?? {};
  return { ...(nodeSelector ? { nodeSelector } : {}), ...(tolerations ? { tolerations } : {}) };
}

export function httpProbe(path: string, port: string, periodSeconds = 10) {
  return { httpGet: { path, port }, periodSeconds, timeoutSeconds: 2, failureThreshold: 3 };
}

/**
 * Holds the liveness probe back until the process first answers it: a Node service on a busy node can
 * take longer to load than liveness allows (30 s), and would be restarted before it ever started.
 */
export function startupProbe(path: string, port: string, maxSeconds = 180) {
  return { httpGet: { path, port }, periodSeconds: 2, timeoutSeconds: 2, failureThreshold: maxSeconds / 2 };
}

export function service(
  shop: ShopDeployment,
  component: Component,
  ports: { name: string; port: number; targetPort?: number }[],
  options: { headless?: boolean; type?: string } = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: childMeta(shop, component),
    spec: {
      ...(options.headless ? { clusterIP: 'None' } : { type: options.type ?? 'ClusterIP' }),
      selector: selectorLabels(shop, component),
      ports: ports.map((p) => ({
        name: p.name,
        port: p.port,
        targetPort: p.targetPort ?? p.port,
        protocol: 'TCP',
      })),
    },
  };
}

/** Keeps at least all but one pod up during voluntary disruptions (node drains); only when there is more than one. */
export function podDisruptionBudget(
  shop: ShopDeployment,
  component: Component,
  replicas: number,
): KubeObject[] {
  if (replicas <= 1) return [];
  return [
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: childMeta(shop, component),
      spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(shop, component) } },
    },
  ];
}

export function configMap(
  shop: ShopDeployment,
  component: Component,
  name: string,
  data: Record<string, string>,
): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: childMeta(shop, component, name), data };
}
