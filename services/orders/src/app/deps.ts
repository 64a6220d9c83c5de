// What the use cases need, passed explicitly.
import type { Logger, Pool } from '@shopstack/kit';
import type { CatalogPort } from '../adapters/catalog-client.js';
import type { PaymentsPort } from '../adapters/payments-client.js';
import type { StockCommandRoute } from '../adapters/stock-commands.js';
import type { StepTimeouts } from '../domain/saga.js';

export interface OrdersDeps {
  pool: Pool;
  logger: Logger;
  catalog: CatalogPort;
  payments: PaymentsPort;
  stockRoute: StockCommandRoute;
  eventsExchange: string;
  timeouts: StepTimeouts;
  /** Asks the saga engine to look for due work now (after a commit that made some). */
  wakeSaga: () => void;
}
