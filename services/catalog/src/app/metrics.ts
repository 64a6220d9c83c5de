// The catalog's own metrics, next to the kit's HTTP / gRPC ones in the same registry.
import type { ServiceMetrics } from '@shopstack/kit';
import { Counter } from 'prom-client';
import type { ReservationStatus } from '../domain/stock.js';

export type StockOperation = 'reserve' | 'release' | 'commit';

export interface CatalogMetrics {
  /** A stock call answered, by operation and the reservation's state afterwards. */
  stockCall(operation: StockOperation, outcome: ReservationStatus): void;
  /** Purchases recorded: with a stock commit that named the buyer, or from an order.completed. */
  purchasesRecorded(count: number): void;
}

export function createCatalogMetrics(metrics: ServiceMetrics): CatalogMetrics {
  const stockCalls = new Counter({
    name: 'catalog_stock_calls_total',
    help: 'Stock reserve / release / commit calls answered, by the reservation state they left',
    labelNames: ['operation', 'outcome'] as const,
    registers: [metrics.registry],
  });
  const purchases = new Counter({
    name: 'catalog_purchases_recorded_total',
    help: 'Product purchases recorded (with the stock commit, or from an order.completed event)',
    registers: [metrics.registry],
  });
  return {
    stockCall: (operation, outcome) => stockCalls.inc({ operation, outcome }),
    purchasesRecorded: (count) => purchases.inc(count),
  };
}

/** For code paths and tests that do not export metrics. */
export const noMetrics: CatalogMetrics = { stockCall: () => {}, purchasesRecorded: () => {} };
