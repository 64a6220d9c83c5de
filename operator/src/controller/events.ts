// Kubernetes Events on a ShopDeployment, so `kubectl describe shop` tells what the operator did.
import type { Logger } from 'pino';
import { FIELD_MANAGER } from '../api/constants.js';
import type { ShopDeployment } from '../api/shop-deployment.js';
import type { KubeClient } from '../kube/client.js';

export type EventType = 'Normal' | 'Warning';

export class EventRecorder {
  constructor(
    private readonly client: KubeClient,
    private readonly identity: string,
    private readonly log: Logger,
  ) {}

  /** Best effort: an event that cannot be written is logged, never a reason to fail a reconcile. */
  async record(shop: ShopDeployment, type: EventType, reason: string, message: string): Promise<void> {
    const now = new Date().toISOString();
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { generateName: `${shop.metadata.name}.`, namespace: shop.metadata.namespace },
      involvedObject: {
        apiVersion: shop.apiVersion,
        kind: shop.kind,
        name: shop.metadata.name,
        namespace: shop.metadata.namespace,
        uid: shop.metadata.uid,
      },
      type,
      reason,
      message: message.slice(0, 1000),
      source: { component: FIELD_MANAGER },
      reportingComponent: FIELD_MANAGER,
      reportingInstance: this.identity,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    try {
      await this.client.create(event);
    } catch (error) {
      this.log.warn({ err: (error as Error).message, reason }, 'could not record event');
    }
  }
}
