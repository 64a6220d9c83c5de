// Webhook endpoints and their deliveries, for their owner: register (the secret is shown once),
// rotate the secret, test, list the delivery log, replay, enable again after a disable. And the
// fan-out of an integration event to the endpoints subscribed to it, inside the inbox's transaction.
import { AppError, type Queryable, withTransaction } from '@shopstack/kit';
import { checkTarget } from '../adapters/webhook-http.js';
import {
  attemptsOf,
  countEndpointsOf,
  deleteEndpoint,
  enableEndpoint,
  endpointsFor,
  type FailingEndpoint,
  findEndpoint,
  findWebhookDelivery,
  insertEndpoint,
  insertWebhookDelivery,
  listEndpointsOf,
  listFailingEndpoints,
  listWebhookDeliveries,
  lockEndpointsOf,
  requeueDeliveries,
  rotateSecret,
  type WebhookAttempt,
  type WebhookDelivery,
  type WebhookDeliveryStatus,
  type WebhookEndpoint,
} from '../adapters/webhooks-repository.js';
import { TargetRefused } from '../domain/target-policy.js';
import {
  isWebhookEventType,
  newMessageId,
  newWebhookSecret,
  type WebhookEventType,
  type WebhookScope,
} from '../domain/webhooks.js';
import type { NotificationsDeps } from './deps.js';

export interface Owner {
  id: string;
  role: string;
}

export interface EndpointView {
  id: string;
  url: string;
  description: string;
  eventTypes: string[];
  scope: WebhookScope;
  status: 'enabled' | 'disabled';
  disabledReason: string | null;
  disabledAt: string | null;
  failingSince: string | null;
  createdAt: string;
}

export interface WebhookDeliveryView {
  id: string;
  endpointId: string;
  eventType: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastLatencyMs: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

const toEndpointView = (e: WebhookEndpoint): EndpointView => ({
  id: e.id,
  url: e.url,
  description: e.description,
  eventTypes: e.eventTypes,
  scope: e.scope,
  status: e.status,
  disabledReason: e.disabledReason,
  disabledAt: iso(e.disabledAt),
  failingSince: iso(e.failingSince),
  createdAt: e.createdAt.toISOString(),
});

export const toWebhookDeliveryView = (d: WebhookDelivery): WebhookDeliveryView => ({
  id: d.id,
  endpointId: d.endpointId,
  eventType: d.eventType,
  status: d.status,
  attempts: d.attempts,
  nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
  lastStatusCode: d.lastStatusCode,
  lastLatencyMs: d.lastLatencyMs,
  lastError: d.lastError,
  createdAt: d.createdAt.toISOString(),
  deliveredAt: iso(d.deliveredAt),
});

const toAttemptView = (a: WebhookAttempt) => ({
  attempt: a.attempt,
  at: a.at.toISOString(),
  statusCode: a.statusCode,
  latencyMs: a.latencyMs,
  error: a.error,
});

const endpointNotFound = () => new AppError('not_found', 'webhook-endpoint-not-found', 'No such endpoint');
const deliveryNotFound = () => new AppError('not_found', 'webhook-delivery-not-found', 'No such delivery');

/** The SSRF guard's refusal as the caller sees it: a 400 on the `url` field. */
async function checkUrl(deps: NotificationsDeps, url: string): Promise<void> {
  try {
    await checkTarget(deps.settings.webhooks.targets, new URL(url));
  } catch (error) {
    if (!(error instanceof TargetRefused)) throw error;
    throw new AppError('invalid', error.code, 'This URL cannot receive webhooks', {
      fields: [{ field: 'url', message: error.message }],
    });
  }
}

/** Another owner's endpoint is "not found", never "forbidden", so ids reveal nothing. */
async function ownEndpoint(deps: NotificationsDeps, owner: Owner, id: string): Promise<WebhookEndpoint> {
  const endpoint = await findEndpoint(deps.pool, id);
  if (!endpoint || endpoint.ownerId !== owner.id) throw endpointNotFound();
  return endpoint;
}

async function ownDelivery(deps: NotificationsDeps, owner: Owner, id: string): Promise<WebhookDelivery> {
  const delivery = await findWebhookDelivery(deps.pool, id);
  if (!delivery) throw deliveryNotFound();
  const endpoint = await findEndpoint(deps.pool, delivery.endpointId);
  if (!endpoint || endpoint.ownerId !== owner.id) throw deliveryNotFound();
  return delivery;
}

export interface EndpointRegistration {
  url: string;
  eventTypes: WebhookEventType[];
  description?: string | undefined;
  scope?: WebhookScope | undefined;
}

export async function registerEndpoint(
  deps: NotificationsDeps,
  owner: Owner,
  registration: EndpointRegistration,
): Promise<{ endpoint: EndpointView; secret: string }> {
  const scope = registration.scope ?? 'own';
  if (scope === 'shop' && owner.role !== 'admin')
    throw new AppError('forbidden', 'webhook-scope-forbidden', 'Only admins receive every user’s events', {
      fields: [{ field: 'scope', message: 'shop scope needs the admin role' }],
    });
  await checkUrl(deps, registration.url);
  const secret = newWebhookSecret();
  const endpoint = await withTransaction(deps.pool, async (client) => {
    // Serialises one owner's registrations, so the limit holds under concurrent requests.
    await lockEndpointsOf(client, owner.id);
    if ((await countEndpointsOf(client, owner.id)) >= deps.settings.webhooks.maxEndpointsPerOwner)
      throw new AppError('conflict', 'webhook-endpoint-limit', 'Too many endpoints', {
        fields: [
          { field: 'url', message: `at most ${deps.settings.webhooks.maxEndpointsPerOwner} endpoints` },
        ],
      });
    return insertEndpoint(
      client,
      {
        ownerId: owner.id,
        url: registration.url,
        description: registration.description ?? '',
        eventTypes: [...new Set(registration.eventTypes)],
        scope,
      },
      secret,
      deps.sealer,
    );
  });
  deps.logger.info({ endpointId: endpoint.id, ownerId: owner.id }, 'webhook endpoint registered');
  return { endpoint: toEndpointView(endpoint), secret };
}

export async function endpointsOf(deps: NotificationsDeps, owner: Owner): Promise<EndpointView[]> {
  return (await listEndpointsOf(deps.pool, owner.id)).map(toEndpointView);
}

export async function endpointOf(deps: NotificationsDeps, owner: Owner, id: string): Promise<EndpointView> {
  return toEndpointView(await ownEndpoint(deps, owner, id));
}

export async function removeEndpoint(deps: NotificationsDeps, owner: Owner, id: string): Promise<void> {
  await ownEndpoint(deps, owner, id);
  await deleteEndpoint(deps.pool, id);
}

/** Enables a disabled endpoint again (its URL is checked again first); waiting deliveries resume. */
export async function reenableEndpoint(
  deps: NotificationsDeps,
  owner: Owner,
  id: string,
): Promise<EndpointView> {
  const endpoint = await ownEndpoint(deps, owner, id);
  await checkUrl(deps, endpoint.url);
  await enableEndpoint(deps.pool, id);
  deps.webhookSender.wake();
  return toEndpointView(await ownEndpoint(deps, owner, id));
}

/** A new secret, shown once; the previous one keeps signing for the overlap, so receivers can switch. */
export async function rotateEndpointSecret(
  deps: NotificationsDeps,
  owner: Owner,
  id: string,
  overlapSeconds?: number,
): Promise<{ secret: string; previousSecretExpiresAt: string }> {
  await ownEndpoint(deps, owner, id);
  const secret = newWebhookSecret();
  const overlapMs =
    overlapSeconds !== undefined ? overlapSeconds * 1000 : deps.settings.webhooks.secretOverlapMs;
  const expiresAt = await withTransaction(deps.pool, (client) =>
    rotateSecret(client, id, secret, overlapMs, deps.sealer),
  );
  deps.logger.info({ endpointId: id }, 'webhook secret rotated');
  return { secret, previousSecretExpiresAt: expiresAt.toISOString() };
}

/** Queues a `webhook.test` message to one endpoint. */
export async function sendTestWebhook(
  deps: NotificationsDeps,
  owner: Owner,
  id: string,
): Promise<WebhookDeliveryView> {
  const endpoint = await ownEndpoint(deps, owner, id);
  const messageId = newMessageId();
  const delivery = await insertWebhookDelivery(deps.pool, {
    id: messageId,
    endpointId: endpoint.id,
    sourceId: messageId,
    eventType: 'webhook.test',
    payload: { endpointId: endpoint.id, message: 'This is a test event from ShopStack.' },
  });
  deps.webhookSender.wake();
  return toWebhookDeliveryView(delivery);
}

export async function deliveriesOfEndpoint(
  deps: NotificationsDeps,
  owner: Owner,
  id: string,
  options: { limit: number; status?: WebhookDeliveryStatus | undefined },
): Promise<WebhookDeliveryView[]> {
  await ownEndpoint(deps, owner, id);
  return (await listWebhookDeliveries(deps.pool, id, options)).map(toWebhookDeliveryView);
}

export async function webhookDeliveryOf(deps: NotificationsDeps, owner: Owner, id: string) {
  const delivery = await ownDelivery(deps, owner, id);
  const attempts = await attemptsOf(deps.pool, id);
  return { ...toWebhookDeliveryView(delivery), attemptLog: attempts.map(toAttemptView) };
}

/** Sends one delivery again, with the same `webhook-id` (receivers deduplicate on it). */
export async function replayWebhookDelivery(
  deps: NotificationsDeps,
  owner: Owner,
  id: string,
): Promise<WebhookDeliveryView> {
  await ownDelivery(deps, owner, id);
  await requeueDeliveries(deps.pool, { id });
  deps.webhookSender.wake();
  return toWebhookDeliveryView((await findWebhookDelivery(deps.pool, id))!);
}

/** Sends again every finished delivery of an endpoint created since `since`. */
export async function replayEndpointSince(
  deps: NotificationsDeps,
  owner: Owner,
  id: string,
  since: Date,
): Promise<{ replayed: number }> {
  await ownEndpoint(deps, owner, id);
  const replayed = await requeueDeliveries(deps.pool, { endpointId: id, since });
  deps.webhookSender.wake();
  return { replayed };
}

/**
 * An integration event becomes one delivery per subscribed endpoint, in the caller's (the inbox's)
 * transaction: all of them or none, and a redelivered event adds nothing.
 */
export async function fanOutToWebhooks(
  db: Queryable,
  event: { sourceId: string; type: string; userId: string; payload: unknown },
): Promise<number> {
  if (!isWebhookEventType(event.type)) return 0;
  const endpoints = await endpointsFor(db, event.type, event.userId);
  for (const endpointId of endpoints)
    await insertWebhookDelivery(db, {
      id: newMessageId(),
      endpointId,
      sourceId: event.sourceId,
      eventType: event.type,
      payload: event.payload,
    });
  return endpoints.length;
}

/** Endpoints whose deliveries keep failing, for the back office's anomaly rule (any owner). */
export function failingEndpoints(
  deps: NotificationsDeps,
  failingForSeconds: number,
): Promise<FailingEndpoint[]> {
  return listFailingEndpoints(deps.pool, failingForSeconds);
}
