// Favourites: every call acts on the signed-in user's own list, so no one reaches another's.
import type { AuthenticatedUser } from '@shopstack/kit';
import {
  addFavourite as addInDb,
  listFavourites,
  removeFavourite as removeInDb,
} from '../adapters/favourites-repository.js';
import { findProduct } from '../adapters/products-repository.js';
import type { CatalogDeps } from './deps.js';
import { productNotFound } from './products.js';

/** Idempotent; answers whether the product was newly added. */
export async function addFavourite(deps: CatalogDeps, user: AuthenticatedUser, productId: string) {
  if (!(await findProduct(deps.pool, productId))) throw productNotFound(productId);
  return addInDb(deps.pool, user.id, productId);
}

/** Idempotent; answers whether the product had been a favourite. */
export function removeFavourite(deps: CatalogDeps, user: AuthenticatedUser, productId: string) {
  return removeInDb(deps.pool, user.id, productId);
}

export function myFavourites(deps: CatalogDeps, user: AuthenticatedUser, page: number, pageSize: number) {
  return listFavourites(deps.pool, user.id, page, pageSize);
}
