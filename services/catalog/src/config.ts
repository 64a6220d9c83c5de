// The catalog service's environment.
import {
  baseConfigSchema,
  checkRetentionConfig,
  messagingConfig,
  postgresConfig,
  retentionConfig,
} from '@shopstack/kit';
import { z } from 'zod';

export const catalogConfigSchema = baseConfigSchema
  .extend({
    HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8082),
    GRPC_PORT: z.coerce.number().int().min(0).max(65535).default(50052),
    ...postgresConfig,
    ...messagingConfig,
    /** Retention (days) of the kit's outbox and inbox; the catalog has no other rows that expire. */
    ...retentionConfig,
    /** Durable queue of this service for order events (one per service, shared by its replicas). */
    ORDER_EVENTS_QUEUE: z.string().min(1).default('catalog.order-events'),
    /** Durable queue of this service for stock commands. */
    SAGA_COMMANDS_QUEUE: z.string().min(1).default('catalog.saga-commands'),
    /** Consume stock commands in this process (`off` when something else runs that consumer). */
    SAGA_COMMANDS: z.enum(['on', 'off']).default('on'),
    PG_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  })
  .superRefine(checkRetentionConfig);

export type CatalogConfig = z.infer<typeof catalogConfigSchema>;
