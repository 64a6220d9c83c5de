// gRPC for orders: product lookups to price cart lines, and the stock steps of the checkout saga.
import { AppError, type GrpcCallers, parseInput } from '@shopstack/kit';
import {
  type CatalogServiceDefinition,
  type CatalogServiceImplementation,
  type Product as ProductMessage,
  type Reservation as ReservationMessage,
  ReservationStatus,
  ShortageReason,
} from '@shopstack/proto/shop/catalog/v1/catalog';
import { z } from 'zod';
import type { CatalogDeps } from '../../app/deps.js';
import { getProducts, getProductWithCategory } from '../../app/products.js';
import { commitStock, releaseStock, reserveStock } from '../../app/stock.js';
import { correctStock, type StockCorrection } from '../../app/stock-corrections.js';
import {
  isPurchasable,
  type ProductWithCategory,
  productRating,
  stockAvailable,
} from '../../domain/product.js';
import type {
  ShortageReason as Reason,
  Reservation,
  ReservationStatus as Status,
} from '../../domain/stock.js';

const MAX_IDS = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const statusToProto: Record<Status, ReservationStatus> = {
  reserved: ReservationStatus.RESERVATION_STATUS_RESERVED,
  rejected: ReservationStatus.RESERVATION_STATUS_REJECTED,
  released: ReservationStatus.RESERVATION_STATUS_RELEASED,
  committed: ReservationStatus.RESERVATION_STATUS_COMMITTED,
};

const reasonToProto: Record<Reason, ShortageReason> = {
  insufficient_stock: ShortageReason.SHORTAGE_REASON_INSUFFICIENT_STOCK,
  product_not_found: ShortageReason.SHORTAGE_REASON_PRODUCT_NOT_FOUND,
  not_purchasable: ShortageReason.SHORTAGE_REASON_NOT_PURCHASABLE,
};

/** Who may call what: only orders reserves, releases and commits stock; the back office corrects it. */
export const catalogGrpcCallers = {
  getProduct: ['orders', 'backoffice'],
  getProducts: ['orders', 'backoffice'],
  reserveStock: ['orders'],
  releaseStock: ['orders'],
  commitStock: ['orders'],
  correctStock: ['backoffice'],
} as const satisfies GrpcCallers<typeof CatalogServiceDefinition>;

export function toProductMessage(product: ProductWithCategory): ProductMessage {
  return {
    id: product.id,
    name: product.name,
    description: product.description,
    categoryId: product.categoryId ?? '',
    categoryName: product.categoryName ?? '',
    priceMinor: product.priceMinor.toString(),
    currency: product.currency,
    stockAvailable: stockAvailable(product),
    purchasable: isPurchasable(product),
    ownerId: product.ownerId,
    ratingAverage: productRating(product),
    reviewCount: product.reviewCount,
    updatedAt: product.updatedAt.toISOString(),
  };
}

export function toReservationMessage(reservation: Reservation): ReservationMessage {
  return {
    orderId: reservation.orderId,
    status: statusToProto[reservation.status],
    lines: reservation.lines,
    shortages: reservation.shortages.map((shortage) => ({
      productId: shortage.productId,
      requested: shortage.requested,
      available: shortage.available,
      reason: reasonToProto[shortage.reason],
    })),
    updatedAt: reservation.updatedAt.toISOString(),
  };
}

function requireUuid(id: string, field: string) {
  if (!UUID.test(id))
    throw new AppError('invalid', 'validation', `${field} must be a UUID`, {
      fields: [{ field, message: 'must be a UUID' }],
    });
}

const correctionInput = z.object({
  idempotencyKey: z.string().regex(/^[A-Za-z0-9_\-:.]{1,128}$/, '1-128 of A-Z a-z 0-9 _ - : .'),
  productId: z.uuid().transform((id) => id.toLowerCase()),
  onHand: z.number().int().min(0).max(1_000_000_000),
  actorId: z.string().min(1).max(128),
  reason: z.string().trim().min(3).max(500),
});

function toCorrectionMessage(correction: StockCorrection) {
  return { ...correction, at: correction.at.toISOString() };
}

export function catalogGrpcService(deps: CatalogDeps): CatalogServiceImplementation {
  return {
    async getProduct(request) {
      requireUuid(request.id, 'id');
      return { product: toProductMessage(await getProductWithCategory(deps, request.id.toLowerCase())) };
    },
    async getProducts(request) {
      if (request.ids.length > MAX_IDS)
        throw new AppError('invalid', 'validation', `at most ${MAX_IDS} ids per call`);
      for (const id of request.ids) requireUuid(id, 'ids');
      const products = await getProducts(
        deps,
        request.ids.map((id) => id.toLowerCase()),
      );
      return { products: products.map(toProductMessage) };
    },
    async reserveStock(request) {
      return { reservation: toReservationMessage(await reserveStock(deps, request.orderId, request.lines)) };
    },
    async releaseStock(request) {
      return { reservation: toReservationMessage(await releaseStock(deps, request.orderId)) };
    },
    async commitStock(request) {
      return { reservation: toReservationMessage(await commitStock(deps, request.orderId)) };
    },
    async correctStock(request) {
      const input = parseInput(correctionInput, request, 'body');
      return { correction: toCorrectionMessage(await correctStock(deps, input)) };
    },
  };
}
