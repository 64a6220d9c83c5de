// Products in PostgreSQL: rows in, domain objects out.
import type { Queryable } from '@shopstack/kit';
import type { Product, ProductStatus, ProductWithCategory } from '../domain/product.js';

export interface ProductRow {
  id: string;
  owner_id: string;
  name: string;
  description: string;
  category_id: string | null;
  price_minor: string;
  currency: string;
  stock_on_hand: number;
  stock_reserved: number;
  status: ProductStatus;
  rating_sum: number;
  review_count: number;
  created_at: Date;
  updated_at: Date;
}

export const PRODUCT_COLUMNS = `p.id, p.owner_id, p.name, p.description, p.category_id, p.price_minor, p.currency,
  p.stock_on_hand, p.stock_reserved, p.status, p.rating_sum, p.review_count, p.created_at, p.updated_at`;

export function toProduct(row: ProductRow): Product {
  return {
    id: row.id,
    ownerId: row.owner_id,
    name: row.name,
    description: row.description,
    categoryId: row.category_id,
    priceMinor: BigInt(row.price_minor),
    currency: row.currency,
    stockOnHand: row.stock_on_hand,
    stockReserved: row.stock_reserved,
    status: row.status,
    ratingSum: row.rating_sum,
    reviewCount: row.review_count,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function findProduct(db: Queryable, id: string, lock = false): Promise<Product | undefined> {
  const { rows } = await db.query<ProductRow>(
    `select ${PRODUCT_COLUMNS} from products p where p.id = $1${lock ? ' for update' : ''}`,
    [id],
  );
  return rows[0] ? toProduct(rows[0]) : undefined;
}

/** The products among `ids` with their categories' names, in one query (the checkout prices with it). */
export async function findProducts(db: Queryable, ids: readonly string[]): Promise<ProductWithCategory[]> {
  const { rows } = await db.query<ProductRow & { category_name: string | null }>(
    `select ${PRODUCT_COLUMNS}, c.name as category_name
       from products p left join categories c on c.id = p.category_id
      where p.id = any($1::uuid[]) order by p.id`,
    [ids],
  );
  return rows.map((row) => ({ ...toProduct(row), categoryName: row.category_name }));
}

export async function insertProduct(db: Queryable, product: Product): Promise<void> {
  await db.query(
    `insert into products (id, owner_id, name, description, category_id, price_minor, currency, stock_on_hand,
       status, created_at, updated_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)`,
    [
      product.id,
      product.ownerId,
      product.name,
      product.description,
      product.categoryId,
      product.priceMinor.toString(),
      product.currency,
      product.stockOnHand,
      product.status,
      product.createdAt,
    ],
  );
}

export interface ProductChanges {
  name?: string | undefined;
  description?: string | undefined;
  categoryId?: string | null | undefined;
  priceMinor?: bigint | undefined;
  currency?: string | undefined;
  status?: ProductStatus | undefined;
  stockOnHand?: number | undefined;
}

const COLUMN_OF: Record<keyof ProductChanges, string> = {
  name: 'name',
  description: 'description',
  categoryId: 'category_id',
  priceMinor: 'price_minor',
  currency: 'currency',
  status: 'status',
  stockOnHand: 'stock_on_hand',
};

export async function updateProduct(db: Queryable, id: string, changes: ProductChanges): Promise<Product> {
  const sets: string[] = [];
  const values: unknown[] = [id];
  for (const [key, value] of Object.entries(changes) as [keyof ProductChanges, unknown][]) {
    if (value === undefined) continue;
    values.push(typeof value === 'bigint' ? value.toString() : value);
    sets.push(`${COLUMN_OF[key]} = $${values.length}`);
  }
  sets.push('updated_at = now()');
  const { rows } = await db.query<ProductRow>(
    `update products p set ${sets.join(', ')} where p.id = $1 returning ${PRODUCT_COLUMNS}`,
    values,
  );
  return toProduct(rows[0]!);
}

/** Adds a review change to the product's rating totals (the row is locked by the update). */
export async function adjustRating(
  db: Queryable,
  productId: string,
  sum: number,
  count: number,
): Promise<void> {
  await db.query(
    `update products set rating_sum = rating_sum + $2, review_count = review_count + $3, updated_at = now()
      where id = $1`,
    [productId, sum, count],
  );
}
