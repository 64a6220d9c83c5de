// An integration event, inside the inbox's transaction: the intended message becomes deliveries.
import type { IncomingMessage, PoolClient } from '@shopstack/kit';
import { intentFor } from '../domain/events.js';
import type { NotificationsDeps } from './deps.js';
import { notify } from './intake.js';
import { fanOutToWebhooks } from './webhooks.js';

export async function handleIntegrationEvent(
  deps: NotificationsDeps,
  client: PoolClient,
  message: IncomingMessage,
): Promise<number> {
  const intent = intentFor(message.type, message.payload, { publicUrl: deps.settings.publicUrl });
  if (!intent) return 0;
  const deliveries = await notify(client, {
    sourceId: message.id,
    userId: intent.userId,
    template: intent.template,
    variables: intent.variables,
    ...(intent.email ? { email: intent.email } : {}),
  });
  const hooks = await fanOutToWebhooks(client, {
    sourceId: message.id,
    type: message.type,
    userId: intent.userId,
    payload: message.payload,
  });
  // Committed a moment after this returns; the dispatchers' polls would find them anyway.
  setTimeout(() => {
    deps.dispatcher.wake();
    if (hooks > 0) deps.webhookSender.wake();
  }, 20).unref();
  return deliveries.length;
}
