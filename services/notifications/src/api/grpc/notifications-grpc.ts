// gRPC for other services and operators: send a templated notification, follow a delivery.
import { AppError, type GrpcCallers } from '@shopstack/kit';
import type {
  Delivery as DeliveryMessage,
  NotificationsServiceDefinition,
  NotificationsServiceImplementation,
  WebhookDelivery as WebhookDeliveryMessage,
} from '@shopstack/proto/shop/notifications/v1/notifications';
import { type DeliveryView, deliveriesOf, deliveryOf, sendNotification } from '../../app/deliveries.js';
import type { NotificationsDeps } from '../../app/deps.js';
import {
  deliveriesOfEndpoint,
  failingEndpoints,
  type Owner,
  registerEndpoint,
  replayWebhookDelivery,
  rotateEndpointSecret,
  type WebhookDeliveryView,
} from '../../app/webhooks.js';
import { LOCALES, type Locale } from '../../domain/preferences.js';
import { isWebhookEventType, type WebhookEventType } from '../../domain/webhooks.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const invalid = (field: string, message: string) =>
  new AppError('invalid', 'validation', `${field} ${message}`, { fields: [{ field, message }] });

const toMessage = (d: DeliveryView): DeliveryMessage => ({
  id: d.id,
  channel: d.channel,
  template: d.template,
  status: d.status,
  attempts: d.attempts,
  lastError: d.lastError ?? '',
  sentAt: d.sentAt ?? '',
  createdAt: d.createdAt,
});

const toWebhookDelivery = (d: WebhookDeliveryView): WebhookDeliveryMessage => ({
  id: d.id,
  endpointId: d.endpointId,
  eventType: d.eventType,
  status: d.status,
  attempts: d.attempts,
  lastStatusCode: d.lastStatusCode ?? 0,
  lastError: d.lastError ?? '',
  createdAt: d.createdAt,
  deliveredAt: d.deliveredAt ?? '',
});

/** gRPC callers act for an owner; they cannot ask for the admins-only 'shop' scope. */
function ownerOf(ownerId: string): Owner {
  if (!UUID.test(ownerId)) throw invalid('owner_id', 'must be a UUID');
  return { id: ownerId, role: 'customer' };
}

function uuidField(field: string, value: string): string {
  if (!UUID.test(value)) throw invalid(field, 'must be a UUID');
  return value;
}

/** Who may call what: the back office (its customer view, an operator's sends and webhook repairs). */
export const notificationsGrpcCallers = {
  sendNotification: ['backoffice'],
  getDelivery: ['backoffice'],
  listDeliveries: ['backoffice'],
  createWebhookEndpoint: ['backoffice'],
  rotateWebhookSecret: ['backoffice'],
  listWebhookDeliveries: ['backoffice'],
  replayWebhookDelivery: ['backoffice'],
  // The back office's anomaly rule on failing webhook endpoints.
  listFailingWebhookEndpoints: ['backoffice'],
} as const satisfies GrpcCallers<typeof NotificationsServiceDefinition>;

export function notificationsGrpcService(deps: NotificationsDeps): NotificationsServiceImplementation {
  return {
    async sendNotification(request) {
      if (!/^[\w.:-]{8,200}$/.test(request.idempotencyKey))
        throw invalid('idempotency_key', 'must be 8 to 200 letters, digits or . _ : -');
      if (!UUID.test(request.userId)) throw invalid('user_id', 'must be a UUID');
      if (request.locale && !(LOCALES as readonly string[]).includes(request.locale))
        throw invalid('locale', `must be one of ${LOCALES.join(', ')}`);
      let variables: unknown;
      try {
        variables = JSON.parse(request.variablesJson || '{}');
      } catch {
        throw invalid('variables_json', 'must be a JSON object');
      }
      const deliveries = await sendNotification(deps, {
        idempotencyKey: request.idempotencyKey,
        userId: request.userId,
        template: request.template,
        variables,
        ...(request.email ? { email: request.email } : {}),
        ...(request.locale ? { locale: request.locale as Locale } : {}),
      });
      return { deliveries: deliveries.map(toMessage) };
    },
    async getDelivery(request) {
      if (!UUID.test(request.id)) throw invalid('id', 'must be a UUID');
      return { delivery: toMessage(await deliveryOf(deps, undefined, request.id)) };
    },
    async listDeliveries(request) {
      const userId = uuidField('user_id', request.userId);
      if (request.limit < 0 || request.limit > 100) throw invalid('limit', 'must be 0 to 100');
      const deliveries = await deliveriesOf(deps, userId, { limit: request.limit || 20 });
      return { deliveries: deliveries.map(toMessage) };
    },
    async createWebhookEndpoint(request) {
      const owner = ownerOf(request.ownerId);
      let url: URL | undefined;
      try {
        url = new URL(request.url);
      } catch {
        throw invalid('url', 'must be an absolute URL');
      }
      if (url.href.length > 2000) throw invalid('url', 'must be at most 2000 characters');
      const unknown = request.eventTypes.find((type) => !isWebhookEventType(type));
      if (request.eventTypes.length === 0 || unknown !== undefined)
        throw invalid(
          'event_types',
          unknown ? `${unknown} is not a webhook event type` : 'must not be empty',
        );
      if (request.description.length > 200) throw invalid('description', 'must be at most 200 characters');
      const { endpoint, secret } = await registerEndpoint(deps, owner, {
        url: request.url,
        eventTypes: request.eventTypes as WebhookEventType[],
        description: request.description,
      });
      return {
        endpoint: {
          id: endpoint.id,
          url: endpoint.url,
          eventTypes: endpoint.eventTypes,
          status: endpoint.status,
          disabledReason: endpoint.disabledReason ?? '',
          createdAt: endpoint.createdAt,
        },
        secret,
      };
    },
    async rotateWebhookSecret(request) {
      const owner = ownerOf(request.ownerId);
      if (request.overlapSeconds < 0 || request.overlapSeconds > 7 * 24 * 3600)
        throw invalid('overlap_seconds', 'must be between 0 and 604800');
      return rotateEndpointSecret(
        deps,
        owner,
        uuidField('endpoint_id', request.endpointId),
        request.overlapSeconds || undefined,
      );
    },
    async listWebhookDeliveries(request) {
      const owner = ownerOf(request.ownerId);
      if (request.limit < 0 || request.limit > 100) throw invalid('limit', 'must be between 1 and 100');
      const deliveries = await deliveriesOfEndpoint(
        deps,
        owner,
        uuidField('endpoint_id', request.endpointId),
        { limit: request.limit || 20 },
      );
      return { deliveries: deliveries.map(toWebhookDelivery) };
    },
    async replayWebhookDelivery(request) {
      const owner = ownerOf(request.ownerId);
      if (!/^msg_[0-9a-f]{32}$/.test(request.deliveryId))
        throw invalid('delivery_id', 'must be a webhook-id');
      return { delivery: toWebhookDelivery(await replayWebhookDelivery(deps, owner, request.deliveryId)) };
    },
    async listFailingWebhookEndpoints(request) {
      const seconds = request.failingForSeconds;
      if (!Number.isInteger(seconds) || seconds < 0 || seconds > 604_800)
        throw invalid('failing_for_seconds', 'must be between 0 and 604800');
      const endpoints = await failingEndpoints(deps, seconds);
      return {
        endpoints: endpoints.map((e) => ({
          ...e,
          failingSince: e.failingSince.toISOString(),
          lastError: e.lastError ?? '',
        })),
      };
    },
  };
}
