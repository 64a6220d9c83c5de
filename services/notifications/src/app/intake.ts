// Turning a request to notify (an integration event, or a direct send over gRPC) into deliveries:
// the template's variables are checked, the user's preferences decide the channels, and one delivery
// per channel is stored in the caller's transaction (for events: the inbox's, so it is all or nothing).
import type { Queryable } from '@shopstack/kit';
import { type Delivery, insertDelivery } from '../adapters/deliveries-repository.js';
import { loadLocale, loadOptIns } from '../adapters/preferences-repository.js';
import { channelsFor, type Locale } from '../domain/preferences.js';
import { checkVariables, TEMPLATE_CATEGORY, type TemplateName } from '../domain/templates.js';

export interface NotifyRequest {
  /** Deduplicates: the same source never makes the same message twice. */
  sourceId: string;
  userId: string;
  template: TemplateName;
  variables: unknown;
  /** Known address (events that carry it); else looked up when sending. */
  email?: string;
  locale?: Locale;
}

export async function notify(db: Queryable, request: NotifyRequest): Promise<Delivery[]> {
  const variables = checkVariables(request.template, request.variables);
  const category = TEMPLATE_CATEGORY[request.template];
  const [optIns, storedLocale] = await Promise.all([
    loadOptIns(db, request.userId),
    loadLocale(db, request.userId),
  ]);
  const locale = request.locale ?? storedLocale;
  const deliveries: Delivery[] = [];
  for (const channel of channelsFor(category, optIns)) {
    deliveries.push(
      await insertDelivery(db, {
        sourceId: request.sourceId,
        userId: request.userId,
        channel,
        category,
        template: request.template,
        locale,
        variables,
        recipient: channel === 'email' ? (request.email ?? null) : null,
      }),
    );
  }
  return deliveries;
}
