// Queries and commands on deliveries for their owner, and direct sends (gRPC, test sends).
import { AppError, withTransaction } from '@shopstack/kit';
import { type Delivery, findDelivery, listDeliveriesOf } from '../adapters/deliveries-repository.js';
import type { Locale } from '../domain/preferences.js';
import { isTemplateName, TemplateVariablesError } from '../domain/templates.js';
import type { NotificationsDeps } from './deps.js';
import { notify } from './intake.js';

export interface DeliveryView {
  id: string;
  channel: string;
  category: string;
  template: string;
  locale: string;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

export const toDeliveryView = (d: Delivery): DeliveryView => ({
  id: d.id,
  channel: d.channel,
  category: d.category,
  template: d.template,
  locale: d.locale,
  status: d.status,
  attempts: d.attempts,
  nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
  lastError: d.lastError,
  createdAt: d.createdAt.toISOString(),
  sentAt: d.sentAt?.toISOString() ?? null,
});

export async function deliveriesOf(
  deps: NotificationsDeps,
  userId: string,
  options: { limit: number; before?: Date },
): Promise<DeliveryView[]> {
  return (await listDeliveriesOf(deps.pool, userId, options)).map(toDeliveryView);
}

/** One delivery; another user's is "not found", never "forbidden", so ids reveal nothing. */
export async function deliveryOf(
  deps: NotificationsDeps,
  userId: string | undefined,
  id: string,
): Promise<DeliveryView> {
  const delivery = await findDelivery(deps.pool, id);
  if (!delivery || (userId !== undefined && delivery.userId !== userId))
    throw new AppError('not_found', 'delivery-not-found', 'No such delivery');
  return toDeliveryView(delivery);
}

export interface SendRequest {
  idempotencyKey: string;
  userId: string;
  template: string;
  variables: unknown;
  email?: string;
  locale?: Locale;
}

/** A templated notification asked for directly; the same idempotency key answers the same deliveries. */
export async function sendNotification(
  deps: NotificationsDeps,
  request: SendRequest,
): Promise<DeliveryView[]> {
  const template = request.template;
  if (!isTemplateName(template))
    throw new AppError('invalid', 'unknown-template', 'No such template', {
      fields: [{ field: 'template', message: 'not a known template' }],
    });
  try {
    const deliveries = await withTransaction(deps.pool, (client) =>
      notify(client, {
        sourceId: `send:${request.idempotencyKey}`,
        userId: request.userId,
        template,
        variables: request.variables,
        ...(request.email ? { email: request.email } : {}),
        ...(request.locale ? { locale: request.locale } : {}),
      }),
    );
    deps.dispatcher.wake();
    return deliveries.map(toDeliveryView);
  } catch (error) {
    if (error instanceof TemplateVariablesError)
      throw new AppError('invalid', 'template-variables', error.message, { fields: error.issues });
    throw error;
  }
}
