// Product commands and queries. Writers are admins (any product) and sellers (their own).
import { randomUUID } from 'node:crypto';
import { AppError, type AuthenticatedUser, withTransaction } from '@shopstack/kit';
import { findCategory } from '../adapters/categories-repository.js';
import { searchProducts as searchInDb } from '../adapters/product-search.js';
import {
  findProduct,
  findProducts,
  insertProduct,
  type ProductChanges,
  updateProduct as updateInDb,
} from '../adapters/products-repository.js';
import type { Product, ProductWithCategory } from '../domain/product.js';
import { assertCanManageProduct } from '../domain/roles.js';
import type { ProductSearch } from '../domain/search.js';
import type { CatalogDeps } from './deps.js';

export interface NewProduct {
  name: string;
  description: string;
  categoryId: string | null;
  priceMinor: bigint;
  currency: string;
  stockOnHand: number;
}

export function productNotFound(id: string): AppError {
  return new AppError('not_found', 'product-not-found', `no product with id ${id}`);
}

async function assertCategoryExists(deps: CatalogDeps, categoryId: string | null | undefined) {
  if (!categoryId) return;
  if (!(await findCategory(deps.pool, categoryId))) {
    throw new AppError('invalid', 'unknown-category', `no category with id ${categoryId}`, {
      title: 'Unknown category',
      fields: [{ field: 'categoryId', message: 'no such category' }],
    });
  }
}

export async function createProduct(deps: CatalogDeps, user: AuthenticatedUser, input: NewProduct) {
  await assertCategoryExists(deps, input.categoryId);
  const now = new Date();
  const product: Product = {
    id: randomUUID(),
    ownerId: user.id,
    ...input,
    stockReserved: 0,
    status: 'active',
    ratingSum: 0,
    reviewCount: 0,
    createdAt: now,
    updatedAt: now,
  };
  await insertProduct(deps.pool, product);
  return (await findProduct(deps.pool, product.id))!;
}

/** Public: archived products are visible by id (old links, order history) but not in search. */
export async function getProduct(deps: CatalogDeps, id: string): Promise<Product> {
  const product = await findProduct(deps.pool, id);
  if (!product) throw productNotFound(id);
  return product;
}

/** For other services (gRPC): products with their categories' names; unknown ids are left out. */
export function getProducts(deps: CatalogDeps, ids: readonly string[]): Promise<ProductWithCategory[]> {
  return findProducts(deps.pool, ids);
}

/** One product for other services (gRPC), with its category's name. */
export async function getProductWithCategory(deps: CatalogDeps, id: string): Promise<ProductWithCategory> {
  const [product] = await findProducts(deps.pool, [id]);
  if (!product) throw productNotFound(id);
  return product;
}

export function searchProducts(deps: CatalogDeps, search: ProductSearch) {
  return searchInDb(deps.pool, search);
}

export type ProductUpdate = Omit<ProductChanges, 'stockOnHand'>;

export async function updateProduct(
  deps: CatalogDeps,
  user: AuthenticatedUser,
  id: string,
  changes: ProductUpdate,
): Promise<Product> {
  await assertCategoryExists(deps, changes.categoryId);
  return withTransaction(deps.pool, async (client) => {
    const product = await findProduct(client, id, true);
    if (!product) throw productNotFound(id);
    assertCanManageProduct(user, product.ownerId);
    return updateInDb(client, id, changes);
  });
}

/**
 * Sets the physical count. Units already reserved for orders cannot disappear, so the new count
 * must cover them.
 */
export async function setStockOnHand(
  deps: CatalogDeps,
  user: AuthenticatedUser,
  id: string,
  onHand: number,
): Promise<Product> {
  return withTransaction(deps.pool, async (client) => {
    const product = await findProduct(client, id, true);
    if (!product) throw productNotFound(id);
    assertCanManageProduct(user, product.ownerId);
    requireCoversReserved(product, onHand);
    return updateInDb(client, id, { stockOnHand: onHand });
  });
}

/** Units already reserved for orders cannot disappear: a new count must cover them. */
export function requireCoversReserved(product: Product, onHand: number): void {
  if (onHand >= product.stockReserved) return;
  throw new AppError(
    'conflict',
    'stock-below-reserved',
    `${product.stockReserved} units are reserved for orders; on hand cannot go below that`,
    {
      title: 'Stock below reserved units',
      fields: [{ field: 'onHand', message: `must be at least ${product.stockReserved}` }],
    },
  );
}
