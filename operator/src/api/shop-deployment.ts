// The ShopDeployment object as the operator sees it: metadata from the API server, spec parsed (and
// defaulted) by the same zod schema the CRD is generated from.
import type { ShopDeploymentSpec } from './spec.js';
import type { ShopDeploymentStatus } from './status.js';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** Any Kubernetes object; renderers produce these and the client sends them as they are. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface ShopDeployment {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta & { namespace: string; uid: string; generation: number };
  spec: ShopDeploymentSpec;
  status?: ShopDeploymentStatus;
}
