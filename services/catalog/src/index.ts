// @shopstack/catalog: the service and the application functions other adapters may call
// (e.g. a saga-command consumer driving stock inside its own inbox transaction).

export {
  sagaStockCommandsConsumer,
  startSagaStockCommands,
} from './adapters/saga-stock-commands.js';
export type { CatalogDeps } from './app/deps.js';
export { type CatalogMetrics, createCatalogMetrics, noMetrics } from './app/metrics.js';
export { OrderCompletedPurchases, type OrderPurchases, recordOrderCompleted } from './app/purchases.js';
export {
  commitStock,
  commitStockIn,
  getReservation,
  releaseStock,
  releaseStockIn,
  reserveStock,
  reserveStockIn,
} from './app/stock.js';
export { type CatalogConfig, catalogConfigSchema } from './config.js';
export type { Reservation, ReservationStatus, Shortage, StockLine } from './domain/stock.js';
export { type CatalogService, catalogService, startCatalogService } from './service.js';
