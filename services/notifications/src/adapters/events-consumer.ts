// The integration events that become messages, consumed through the kit's inbox: the deliveries and
// the "handled" mark commit together, so a redelivered event makes no second message.
import type { ConsumerDeclaration, Pool } from '@shopstack/kit';
import { CONSUMED_EVENTS } from '../domain/events.js';

export function eventsConsumer(options: {
  exchange: string;
  queue: string;
  pool: Pool;
  handle: ConsumerDeclaration['handle'];
}): ConsumerDeclaration {
  return {
    name: 'notifications.events',
    queue: options.queue,
    bindings: CONSUMED_EVENTS.map((pattern) => ({ exchange: options.exchange, pattern })),
    pool: options.pool,
    prefetch: 50,
    handle: options.handle,
  };
}
