// Request and response shapes of the REST API (zod: validation and the OpenAPI document).
import { z } from 'zod';
import { CATEGORIES, CHANNELS, LOCALES } from '../../domain/preferences.js';

export const PreferencesBody = z
  .object({
    locale: z.enum(LOCALES).optional(),
    optIns: z
      .array(
        z.object({ category: z.enum(CATEGORIES), channel: z.enum(CHANNELS), enabled: z.boolean() }).strict(),
      )
      .max(50)
      .optional(),
  })
  .strict();

export const PreferencesView = z.object({
  locale: z.enum(LOCALES),
  categories: z.array(
    z.object({
      category: z.enum(CATEGORIES),
      transactional: z.boolean(),
      channels: z.array(
        z.object({ channel: z.enum(CHANNELS), enabled: z.boolean(), adjustable: z.boolean() }),
      ),
    }),
  ),
});

export const UnsubscribeQuery = z.object({ token: z.string().min(1).max(2000) });

export const UnsubscribeView = z.object({
  unsubscribed: z.array(z.enum(CATEGORIES)),
  message: z.string(),
});

export const DeliveryView = z.object({
  id: z.uuid(),
  channel: z.enum(CHANNELS),
  category: z.enum(CATEGORIES),
  template: z.string(),
  locale: z.enum(LOCALES),
  status: z.enum(['pending', 'sent', 'dead']),
  attempts: z.number().int(),
  nextAttemptAt: z.string().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
});

export const DeliveriesQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(20),
    before: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

export const DeliveryParams = z.object({ id: z.uuid() });
