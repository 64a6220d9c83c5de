// gRPC for other services and operators: send a templated notification, follow a delivery.
import { AppError } from '@shopstack/kit';
import type {
  Delivery as DeliveryMessage,
  NotificationsServiceImplementation,
} from '@shopstack/proto/shop/notifications/v1/notifications';
import { type DeliveryView, deliveryOf, sendNotification } from '../../app/deliveries.js';
import type { NotificationsDeps } from '../../app/deps.js';
import { LOCALES, type Locale } from '../../domain/preferences.js';

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
  };
}
