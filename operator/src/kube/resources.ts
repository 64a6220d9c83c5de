// The kinds the operator reads and writes, and their paths. Every one of them is namespaced, and the
// operator knows them all, so it builds the paths itself instead of asking the API server's discovery.
import { GROUP, PLURAL, VERSION } from '../api/constants.js';

export interface ResourceType {
  /** "/api/v1" for the core group, "/apis/<group>/<version>" otherwise. */
  base: string;
  apiVersion: string;
  kind: string;
  plural: string;
}

function type(apiVersion: string, kind: string, plural: string): ResourceType {
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return { base, apiVersion, kind, plural };
}

export const SHOP_DEPLOYMENTS = type(`${GROUP}/${VERSION}`, 'ShopDeployment', PLURAL);
export const DEPLOYMENTS = type('apps/v1', 'Deployment', 'deployments');
export const SERVICES = type('v1', 'Service', 'services');
export const CONFIG_MAPS = type('v1', 'ConfigMap', 'configmaps');
export const POD_DISRUPTION_BUDGETS = type('policy/v1', 'PodDisruptionBudget', 'poddisruptionbudgets');
export const NETWORK_POLICIES = type('networking.k8s.io/v1', 'NetworkPolicy', 'networkpolicies');
export const SECRETS = type('v1', 'Secret', 'secrets');
export const EVENTS = type('v1', 'Event', 'events');
export const LEASES = type('coordination.k8s.io/v1', 'Lease', 'leases');

/** Every kind a ShopDeployment owns; the controller watches each of them. */
export const CHILD_TYPES = [
  DEPLOYMENTS,
  SERVICES,
  CONFIG_MAPS,
  POD_DISRUPTION_BUDGETS,
  NETWORK_POLICIES,
  // The services' CA and certificates (render/certificates.ts); only the operator's own, by label.
  SECRETS,
] as const;

const ALL_TYPES = [SHOP_DEPLOYMENTS, ...CHILD_TYPES, EVENTS, LEASES];

/** Every object of the kind, across namespaces. */
export const collectionPath = (resource: ResourceType) => `${resource.base}/${resource.plural}`;

/** The kind's objects in one namespace, or (with a name) one of them. */
export function objectPath(resource: ResourceType, namespace: string, name?: string): string {
  const collection = `${resource.base}/namespaces/${encodeURIComponent(namespace)}/${resource.plural}`;
  return name === undefined ? collection : `${collection}/${encodeURIComponent(name)}`;
}

export function typeOf(object: { apiVersion: string; kind: string }): ResourceType {
  const found = ALL_TYPES.find((t) => t.apiVersion === object.apiVersion && t.kind === object.kind);
  if (!found) throw new Error(`no resource type for ${object.apiVersion} ${object.kind}`);
  return found;
}

/** Cache key of a namespaced object, as client-go writes it. */
export const keyOf = (object: { metadata: { namespace?: string; name: string } }) =>
  `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
