// The webhooks REST API, for the signed-in owner of the endpoints (or an integration holding the
// owner's API key with the `webhooks:manage` scope): another user's endpoints and deliveries are
// "not found".
import type { HttpRoutes } from '@shopstack/kit';
import { z } from 'zod';
import type { NotificationsDeps } from '../../app/deps.js';
import {
  deliveriesOfEndpoint,
  endpointOf,
  endpointsOf,
  reenableEndpoint,
  registerEndpoint,
  removeEndpoint,
  replayEndpointSince,
  replayWebhookDelivery,
  rotateEndpointSecret,
  sendTestWebhook,
  webhookDeliveryOf,
} from '../../app/webhooks.js';
import {
  EndpointBody,
  EndpointParams,
  EndpointView,
  RegisteredEndpoint,
  ReplaySinceBody,
  RotateBody,
  RotatedSecret,
  WebhookDeliveriesQuery,
  WebhookDeliveryDetail,
  WebhookDeliveryParams,
  WebhookDeliveryView,
} from './webhook-schemas.js';

const BASE = '/api/notifications/webhooks';
const tags = ['webhooks'];
const notFound = { 404: { description: 'Not yours or none' } };

export function addWebhookRoutes(routes: HttpRoutes, deps: NotificationsDeps): void {
  routes.post(
    `${BASE}/endpoints`,
    {
      summary: 'Register an endpoint for some event types; the signing secret is in the answer, only there',
      tags,
      auth: true,
      apiKeyScope: 'webhooks:manage',
      body: EndpointBody,
      responses: {
        201: { description: 'Registered', schema: RegisteredEndpoint },
        400: { description: 'Bad input, or a URL that is not https or resolves to a non-public address' },
      },
    },
    async ({ user, body }) => ({ status: 201, body: await registerEndpoint(deps, user, body) }),
  );

  routes.get(
    `${BASE}/endpoints`,
    {
      summary: 'Your endpoints',
      tags,
      auth: true,
      apiKeyScope: 'webhooks:manage',
      responses: {
        200: { description: 'Endpoints', schema: z.object({ endpoints: z.array(EndpointView) }) },
      },
    },
    async ({ user }) => ({ body: { endpoints: await endpointsOf(deps, user) } }),
  );

  routes.get(
    `${BASE}/endpoints/:id`,
    {
      summary: 'One of your endpoints',
      tags,
      auth: true,
      apiKeyScope: 'webhooks:manage',
      params: EndpointParams,
      responses: { 200: { description: 'Endpoint', schema: EndpointView }, ...notFound },
    },
    async ({ user, params }) => ({ body: await endpointOf(deps, user, params.id) }),
  );

  routes.delete(
    `${BASE}/endpoints/:id`,
    {
      summary: 'Remove an endpoint and its delivery log',
      tags,
      auth: true,
      apiKeyScope: 'webhooks:manage',
      params: EndpointParams,
      responses: { 204: { description: 'Removed' }, ...notFound },
    },
    async ({ user, params }) => {
      await removeEndpoint(deps, user, params.id);
      return {};
    },
  );

  routes.post(
    `${BASE}/endpoints/:id/enable`,
    {
      summary: 'Enable a disabled endpoint again; deliveries that waited resume',
      tags,
      auth: true,
      apiKeyScope: 'webhooks:manage',
      params: EndpointParams,
      responses: { 200: { description: 'Endpoint', schema: EndpointView }, ...notFound },
    },
    async ({ user, params }) => ({ body: await reenableEndpoint(deps, user, params.id) }),
  );

  routes.post(
    `${BASE}/endpoints/:id/rotate-secret`,
    {
      summary: 'A new signing secret; the previous one keeps signing during the overlap',
      tags,
      auth: true,
      apiKeyScope: 'webhooks:manage',
      params: EndpointParams,
      body: RotateBody,
      responses: { 200: { description: 'Rotated', schema: RotatedSecret }, ...notFound },
    },
    async ({ user, params, body }) => ({
      body: await rotateEndpointSecret(deps, user, params.id, body.overlapSeconds),
    }),
  );

  routes.post(
    `${BASE}/endpoints/:id/test`,
    {
      summary: 'Send a webhook.test event to the endpoint',
      tags,
      auth: true,
      apiKeyScope: 'webhooks:manage',
      params: EndpointParams,
      responses: { 202: { description: 'Queued', schema: WebhookDeliveryView }, ...notFound },
    },
    async ({ user, params }) => ({ status: 202, body: await sendTestWebhook(deps, user, params.id) }),
  );

  routes.get(
    `${BASE}/endpoints/:id/deliveries`,
    {
      summary: 'The endpoint’s delivery log, newest first',
      tags,
      auth: true,
      apiKeyScope: 'webhooks:manage',
      params: EndpointParams,
      query: WebhookDeliveriesQuery,
      responses: {
        200: {
          description: 'Deliveries',
          schema: z.object({ deliveries: z.array(WebhookDeliveryView) }),
        },
        ...notFound,
      },
    },
    async ({ user, params, query }) => ({
      body: { deliveries: await deliveriesOfEndpoint(deps, user, params.id, query) },
    }),
  );

  routes.post(
    `${BASE}/endpoints/:id/replay`,
    {
      summary: 'Send again every finished delivery created since a time (same webhook-ids)',
      tags,
      auth: true,
      apiKeyScope: 'webhooks:manage',
      params: EndpointParams,
      body: ReplaySinceBody,
      responses: {
        202: { description: 'Queued', schema: z.object({ replayed: z.number().int() }) },
        ...notFound,
      },
    },
    async ({ user, params, body }) => ({
      status: 202,
      body: await replayEndpointSince(deps, user, params.id, new Date(body.since)),
    }),
  );

  routes.get(
    `${BASE}/deliveries/:id`,
    {
      summary: 'One delivery with its attempts (status code, latency, error of each)',
      tags,
      auth: true,
      apiKeyScope: 'webhooks:manage',
      params: WebhookDeliveryParams,
      responses: { 200: { description: 'Delivery', schema: WebhookDeliveryDetail }, ...notFound },
    },
    async ({ user, params }) => ({ body: await webhookDeliveryOf(deps, user, params.id) }),
  );

  routes.post(
    `${BASE}/deliveries/:id/replay`,
    {
      summary: 'Send one delivery again now, with the same webhook-id',
      tags,
      auth: true,
      apiKeyScope: 'webhooks:manage',
      params: WebhookDeliveryParams,
      responses: { 202: { description: 'Queued', schema: WebhookDeliveryView }, ...notFound },
    },
    async ({ user, params }) => ({ status: 202, body: await replayWebhookDelivery(deps, user, params.id) }),
  );
}
