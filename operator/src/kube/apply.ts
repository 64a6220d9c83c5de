// Server-side apply with the operator's single field manager. JSON is YAML, so the body is sent as is.
import { FIELD_MANAGER } from '../api/constants.js';
import type { KubeObject } from '../api/shop-deployment.js';
import type { KubeClient } from './client.js';
import { objectPath, typeOf } from './resources.js';

export function serverSideApply(client: KubeClient, object: KubeObject): Promise<KubeObject> {
  const path = objectPath(typeOf(object), object.metadata.namespace ?? 'default', object.metadata.name);
  return client.request<KubeObject>('PATCH', path, {
    body: object,
    contentType: 'application/apply-patch+yaml',
    // force: the operator owns these fields; a hand edit of them is drift to revert, not a conflict.
    query: { fieldManager: FIELD_MANAGER, force: true },
  });
}
