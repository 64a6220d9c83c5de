// What the use cases need, passed explicitly.
import type { Logger, Pool } from '@shopstack/kit';
import type { CatalogMetrics } from './metrics.js';

export interface CatalogDeps {
  pool: Pool;
  logger: Logger;
  metrics: CatalogMetrics;
  /** Where integration events (repair.recorded) are published, through the outbox. */
  eventsExchange: string;
}
