// Product prices (and categories, for the reports) from the catalog over gRPC (deadline, retries of these read-only calls, breaker).
import { AppError, createGrpcClient, type GrpcTransport, type ServiceMetrics } from '@shopstack/kit';
import { CatalogServiceDefinition } from '@shopstack/proto/shop/catalog/v1/catalog';

export interface PricedProduct {
  productId: string;
  name: string;
  unitPriceMinor: string;
  currency: string;
  purchasable: boolean;
  stockAvailable: number;
  /** Empty when the product is in no category. */
  categoryId: string;
  /** That category's name as the catalog has it now; empty when in none (or from an older catalog). */
  categoryName: string;
}

export interface CatalogPort {
  /** The products that exist among `ids`; missing ids are left out. */
  getProducts(ids: readonly string[]): Promise<PricedProduct[]>;
  close(): void;
}

export function createCatalogClient(options: {
  address: string;
  metrics: ServiceMetrics;
  transport: GrpcTransport;
  deadlineMs: number;
  breakerResetMs: number;
}): CatalogPort {
  const handle = createGrpcClient(CatalogServiceDefinition, {
    address: options.address,
    downstream: 'catalog',
    metrics: options.metrics,
    transport: options.transport,
    deadlineMs: options.deadlineMs,
    breaker: { resetTimeoutMs: options.breakerResetMs },
  });
  return {
    close: handle.close,
    async getProducts(ids) {
      if (ids.length === 0) return [];
      const { products } = await handle.client.getProducts({ ids: [...ids] }).catch(unavailable);
      return products.map((product) => ({
        productId: product.id,
        name: product.name,
        unitPriceMinor: product.priceMinor,
        currency: product.currency,
        purchasable: product.purchasable,
        stockAvailable: product.stockAvailable,
        categoryId: product.categoryId,
        categoryName: product.categoryName,
      }));
    },
  };
}

/** The catalog being down or slow is a 503 for our callers (the breaker makes it a quick one). */
function unavailable(error: unknown): never {
  throw new AppError(
    'unavailable',
    'catalog-unavailable',
    `The catalog cannot be reached: ${(error as Error).message}`,
    {
      retryAfterSeconds: 5,
    },
  );
}
