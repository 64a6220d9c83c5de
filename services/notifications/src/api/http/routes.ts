// The REST API: a user's preferences and deliveries (signed in), and the unsubscribe link (no sign-in:
// the link's signed token is the authority).
import type { HttpRoutes } from '@shopstack/kit';
import { z } from 'zod';
import { deliveriesOf, deliveryOf } from '../../app/deliveries.js';
import type { NotificationsDeps } from '../../app/deps.js';
import { changePreferences, preferencesOf, unsubscribe } from '../../app/preferences.js';
import {
  DeliveriesQuery,
  DeliveryParams,
  DeliveryView,
  PreferencesBody,
  PreferencesView,
  UnsubscribeQuery,
  UnsubscribeView,
} from './schemas.js';

export function addNotificationRoutes(routes: HttpRoutes, deps: NotificationsDeps): void {
  routes.get(
    '/api/notifications/preferences',
    {
      summary: 'Your notification preferences: language, and opt-ins per category and channel',
      tags: ['preferences'],
      auth: true,
      responses: { 200: { description: 'Preferences', schema: PreferencesView } },
    },
    async ({ user }) => ({ body: await preferencesOf(deps, user.id) }),
  );

  routes.put(
    '/api/notifications/preferences',
    {
      summary: 'Change the language and opt in or out (transactional email cannot be switched off)',
      tags: ['preferences'],
      auth: true,
      body: PreferencesBody,
      responses: { 200: { description: 'Preferences', schema: PreferencesView } },
    },
    async ({ user, body }) => ({ body: await changePreferences(deps, user.id, body) }),
  );

  const unsubscribeRoute = {
    summary: 'Follow an unsubscribe link: switches optional messages off, without signing in',
    tags: ['preferences'],
    query: UnsubscribeQuery,
    responses: {
      200: { description: 'Unsubscribed', schema: UnsubscribeView },
      400: { description: 'The token is not valid (tampered, or not ours)' },
    },
  };
  const follow = async ({ query }: { query: z.infer<typeof UnsubscribeQuery> }) => {
    const done = await unsubscribe(deps, query.token);
    return {
      body: {
        unsubscribed: done.switchedOff,
        message: 'You will no longer receive optional messages of these kinds.',
      },
    };
  };
  routes.get('/api/notifications/unsubscribe', unsubscribeRoute, follow);
  // RFC 8058 one-click: mail clients POST to the List-Unsubscribe address.
  routes.post('/api/notifications/unsubscribe', unsubscribeRoute, follow);

  routes.get(
    '/api/notifications/deliveries',
    {
      summary: 'Messages sent (or being sent) to you, newest first',
      tags: ['deliveries'],
      auth: true,
      query: DeliveriesQuery,
      responses: {
        200: { description: 'Deliveries', schema: z.object({ deliveries: z.array(DeliveryView) }) },
      },
    },
    async ({ user, query }) => ({
      body: {
        deliveries: await deliveriesOf(deps, user.id, {
          limit: query.limit,
          ...(query.before ? { before: new Date(query.before) } : {}),
        }),
      },
    }),
  );

  routes.get(
    '/api/notifications/deliveries/:id',
    {
      summary: 'One of your deliveries (another user\u2019s is not found)',
      tags: ['deliveries'],
      auth: true,
      params: DeliveryParams,
      responses: {
        200: { description: 'Delivery', schema: DeliveryView },
        404: { description: 'Not yours or none' },
      },
    },
    async ({ user, params }) => ({ body: await deliveryOf(deps, user.id, params.id) }),
  );
}
