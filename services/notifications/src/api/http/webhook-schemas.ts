// Request and response shapes of the webhooks API (zod: validation and the OpenAPI document).
import { z } from 'zod';
import { WEBHOOK_EVENT_TYPES, WEBHOOK_SCOPES } from '../../domain/webhooks.js';

export const EndpointBody = z
  .object({
    url: z.url({ protocol: /^https?$/ }).max(2000),
    eventTypes: z.array(z.enum(WEBHOOK_EVENT_TYPES)).min(1).max(WEBHOOK_EVENT_TYPES.length),
    description: z.string().max(200).optional(),
    scope: z.enum(WEBHOOK_SCOPES).optional(),
  })
  .strict();

export const EndpointView = z.object({
  id: z.uuid(),
  url: z.string(),
  description: z.string(),
  eventTypes: z.array(z.string()),
  scope: z.enum(WEBHOOK_SCOPES),
  status: z.enum(['enabled', 'disabled']),
  disabledReason: z.string().nullable(),
  disabledAt: z.string().nullable(),
  failingSince: z.string().nullable(),
  createdAt: z.string(),
});

export const RegisteredEndpoint = z.object({
  endpoint: EndpointView,
  secret: z.string().describe('The signing secret (whsec_…), shown only now'),
});

export const RotateBody = z
  .object({
    overlapSeconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 3600)
      .optional(),
  })
  .strict();

export const RotatedSecret = z.object({
  secret: z.string().describe('The new signing secret, shown only now'),
  previousSecretExpiresAt: z.string().describe('Until then deliveries carry both signatures'),
});

export const WebhookDeliveryView = z.object({
  id: z.string().describe('The webhook-id, the same on every attempt and replay'),
  endpointId: z.uuid(),
  eventType: z.string(),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int(),
  nextAttemptAt: z.string().nullable(),
  lastStatusCode: z.number().int().nullable(),
  lastLatencyMs: z.number().int().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
});

export const WebhookDeliveryDetail = WebhookDeliveryView.extend({
  attemptLog: z.array(
    z.object({
      attempt: z.number().int(),
      at: z.string(),
      statusCode: z.number().int().nullable(),
      latencyMs: z.number().int(),
      error: z.string().nullable(),
    }),
  ),
});

export const EndpointParams = z.object({ id: z.uuid() });
export const WebhookDeliveryParams = z.object({ id: z.string().regex(/^msg_[0-9a-f]{32}$/) });

export const WebhookDeliveriesQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(20),
    status: z.enum(['pending', 'delivered', 'failed']).optional(),
  })
  .strict();

export const ReplaySinceBody = z.object({ since: z.iso.datetime({ offset: true }) }).strict();
