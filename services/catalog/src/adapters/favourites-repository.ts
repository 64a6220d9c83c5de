// Favourites in PostgreSQL: a set of products per user.
import type { Queryable } from '@shopstack/kit';
import type { Product } from '../domain/product.js';
import { PRODUCT_COLUMNS, type ProductRow, toProduct } from './products-repository.js';

/** True when the product was not yet a favourite. */
export async function addFavourite(db: Queryable, userId: string, productId: string): Promise<boolean> {
  const result = await db.query(
    'insert into favourites (user_id, product_id) values ($1, $2) on conflict do nothing',
    [userId, productId],
  );
  return result.rowCount === 1;
}

/** True when the product was a favourite. */
export async function removeFavourite(db: Queryable, userId: string, productId: string): Promise<boolean> {
  const result = await db.query('delete from favourites where user_id = $1 and product_id = $2', [
    userId,
    productId,
  ]);
  return result.rowCount === 1;
}

export interface FavouritePage {
  items: { product: Product; addedAt: Date }[];
  total: number;
}

/** The user's favourites, most recently added first. */
export async function listFavourites(
  db: Queryable,
  userId: string,
  page: number,
  pageSize: number,
): Promise<FavouritePage> {
  const { rows } = await db.query<ProductRow & { added_at: Date; total: string }>(
    `select ${PRODUCT_COLUMNS}, f.created_at as added_at, count(*) over () as total
       from favourites f join products p on p.id = f.product_id
      where f.user_id = $1
      order by f.created_at desc, p.id limit $2 offset $3`,
    [userId, pageSize, (page - 1) * pageSize],
  );
  return {
    items: rows.map((row) => ({ product: toProduct(row), addedAt: row.added_at })),
    total: rows[0] ? Number(rows[0].total) : 0,
  };
}
