// Reads a ShopDeployment from the API server through the same schema the CRD is generated from. The API
// server has already validated and defaulted it; parsing again gives typed access and catches objects
// stored before a newer schema version added a field.
import { z } from 'zod';
import type { KubeObject, ShopDeployment } from './shop-deployment.js';
import { ShopDeploymentSpec } from './spec.js';
import { ShopDeploymentStatus } from './status.js';

export type ParseResult = { ok: true; shop: ShopDeployment } | { ok: false; message: string };

export function parseShopDeployment(object: KubeObject): ParseResult {
  const spec = ShopDeploymentSpec.safeParse(object.spec);
  if (!spec.success) return { ok: false, message: z.prettifyError(spec.error).replaceAll('\n', '; ') };
  const status = ShopDeploymentStatus.safeParse(object.status ?? {});
  const { metadata } = object;
  return {
    ok: true,
    shop: {
      apiVersion: object.apiVersion,
      kind: object.kind,
      metadata: {
        ...metadata,
        namespace: metadata.namespace ?? 'default',
        uid: metadata.uid ?? '',
        generation: metadata.generation ?? 0,
      },
      spec: spec.data,
      status: status.success ? status.data : {},
    },
  };
}
