// The product as the catalog knows it. Prices are bigint minor units.
import { averageRating } from './rating.js';

export type ProductStatus = 'active' | 'archived';

export interface Product {
  id: string;
  ownerId: string;
  name: string;
  description: string;
  categoryId: string | null;
  priceMinor: bigint;
  currency: string;
  stockOnHand: number;
  stockReserved: number;
  status: ProductStatus;
  ratingSum: number;
  reviewCount: number;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * A product with the current name of its category (null when it is in none), as other services are
 * told it: orders keeps the name on an order line for the back office's sales report.
 */
export interface ProductWithCategory extends Product {
  categoryName: string | null;
}

export function stockAvailable(product: Pick<Product, 'stockOnHand' | 'stockReserved'>): number {
  return product.stockOnHand - product.stockReserved;
}

export function isPurchasable(product: Pick<Product, 'status'>): boolean {
  return product.status === 'active';
}

export function productRating(product: Pick<Product, 'ratingSum' | 'reviewCount'>): number {
  return averageRating({ sum: product.ratingSum, count: product.reviewCount });
}
