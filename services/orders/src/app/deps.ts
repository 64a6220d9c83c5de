// What the use cases need, passed explicitly.
import type { Logger, Pool } from '@shopstack/kit';
import type { CatalogPort } from '../adapters/catalog-client.js';
import type { PaymentsPort } from '../adapters/payments-client.js';
import type { StockCommandRoute } from '../adapters/stock-commands.js';
import type { CheckoutSettings } from './checkout-saga.js';
import type { SagaEngine } from './saga-engine.js';

export interface OrdersDeps {
  pool: Pool;
  logger: Logger;
  catalog: CatalogPort;
  payments: PaymentsPort;
  stockRoute: StockCommandRoute;
  eventsExchange: string;
  timeouts: CheckoutSettings;
  /** The engine running the checkout saga (made after the deps it needs). */
  engine: () => SagaEngine;
}
