// The catalog service's environment.
import { baseConfigSchema } from '@shopstack/kit';
import { z } from 'zod';

export const catalogConfigSchema = baseConfigSchema.extend({
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8082),
  GRPC_PORT: z.coerce.number().int().min(0).max(65535).default(50052),
  /** PostgreSQL database owned by this service. */
  DATABASE_URL: z.string().min(1),
  AMQP_URL: z.string().min(1),
  /** Topic exchange of integration events; the catalog listens for order.confirmed there. */
  EVENTS_EXCHANGE: z.string().min(1).default('shop.events'),
  /** Durable queue of this service for order events (one per service, shared by its replicas). */
  ORDER_EVENTS_QUEUE: z.string().min(1).default('catalog.order-events'),
  /** Topic exchange of saga commands and replies (orders sends catalog.reserve-stock etc. there). */
  COMMANDS_EXCHANGE: z.string().min(1).default('shop.commands'),
  /** Durable queue of this service for stock commands. */
  SAGA_COMMANDS_QUEUE: z.string().min(1).default('catalog.saga-commands'),
  /** Consume stock commands in this process (`off` when something else runs that consumer). */
  SAGA_COMMANDS: z.enum(['on', 'off']).default('on'),
  /** Run the outbox relay (saga replies) in this process; one is active per database in any case. */
  OUTBOX_RELAY: z.enum(['on', 'off']).default('on'),
  /** Where the users service publishes its signing keys. */
  JWKS_URL: z.url(),
  JWT_ISSUER: z.string().min(1).default('shopstack-users'),
  JWT_AUDIENCE: z.string().min(1).default('shopstack'),
  PG_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
});

export type CatalogConfig = z.infer<typeof catalogConfigSchema>;
