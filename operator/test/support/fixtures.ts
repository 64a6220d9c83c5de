// ShopDeployments for tests, parsed through the real schema so defaults apply as in the cluster.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { parseShopDeployment } from '../../src/api/parse.js';
import type { KubeObject, ShopDeployment } from '../../src/api/shop-deployment.js';

export const EXAMPLE_PATH = new URL('../../../charts/shopstack-operator/examples/shop.yaml', import.meta.url);

/** The documents of the chart's example: three Secrets and the ShopDeployment. */
export function exampleDocuments(): KubeObject[] {
  return parseAllDocuments(readFileSync(EXAMPLE_PATH, 'utf8')).map((doc) => doc.toJSON() as KubeObject);
}

/** The example with its ShopDeployment put in a shard (see SHARD_LABEL). */
export function exampleDocumentsInShard(shard: string): KubeObject[] {
  return exampleDocuments().map((doc) =>
    doc.kind === 'ShopDeployment'
      ? {
          ...doc,
          metadata: { ...doc.metadata, labels: { ...doc.metadata.labels, 'shopstack.io/shard': shard } },
        }
      : doc,
  );
}

export function exampleShopObject(): KubeObject {
  const shop = exampleDocuments().find((doc) => doc.kind === 'ShopDeployment');
  if (!shop) throw new Error('the example has no ShopDeployment');
  return shop;
}

export function shopFrom(
  object: KubeObject,
  namespace = 'shops',
  uid = '11111111-2222-3333-4444-555555555555',
): ShopDeployment {
  const parsed = parseShopDeployment({
    ...object,
    metadata: { ...object.metadata, namespace, uid, generation: 1 },
  });
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.shop;
}

export function minimalShop(spec: Record<string, unknown> = {}, name = 'mini'): ShopDeployment {
  return shopFrom({
    apiVersion: 'shopstack.io/v1alpha1',
    kind: 'ShopDeployment',
    metadata: { name },
    spec: {
      secrets: {
        rabbitmq: { name: 'amqp' },
        redis: { name: 'redis' },
        paymentsWebhook: { name: 'webhook' },
        smtp: { name: 'smtp' },
        unsubscribeSigning: { name: 'unsubscribe' },
      },
      ...spec,
    },
  });
}

/** A shop in a shard with one pod per component (orders as given) and no observability: quick to roll out. */
export function smallShopObject(name: string, shard: string, ordersReplicas: number): KubeObject {
  const one = { replicas: 1 };
  return {
    apiVersion: 'shopstack.io/v1alpha1',
    kind: 'ShopDeployment',
    metadata: { name, labels: { 'shopstack.io/shard': shard } },
    spec: {
      services: {
        users: one,
        catalog: one,
        orders: { replicas: ordersReplicas },
        payments: one,
        notifications: one,
        backoffice: one,
      },
      edge: { replicas: 1, rateLimitService: { replicas: 1 } },
      secrets: {
        rabbitmq: { name: 'amqp' },
        redis: { name: 'redis' },
        paymentsWebhook: { name: 'webhook' },
        smtp: { name: 'smtp' },
        unsubscribeSigning: { name: 'unsubscribe' },
      },
      observability: { prometheus: { enabled: false }, grafana: { enabled: false } },
    },
  } as KubeObject;
}
