// Public product search: full-text, category subtree, price range, stock, sorting and pages, in one
// query. Every value is a bind parameter; only fixed ORDER BY fragments are spliced in.
import type { Queryable } from '@shopstack/kit';
import type { Product } from '../domain/product.js';
import { effectiveSort, type ProductSearch, type ProductSort, pageOffset } from '../domain/search.js';
import { PRODUCT_COLUMNS, type ProductRow, toProduct } from './products-repository.js';

const ORDER_BY: Record<ProductSort, string> = {
  relevance: "ts_rank(p.search, websearch_to_tsquery('simple', $1::text)) desc, p.created_at desc, p.id",
  newest: 'p.created_at desc, p.id',
  price_asc: 'p.price_minor asc, p.id',
  price_desc: 'p.price_minor desc, p.id',
  rating:
    '(case when p.review_count = 0 then 0 else p.rating_sum::numeric / p.review_count end) desc, p.review_count desc, p.id',
  name: 'p.name asc, p.id',
};

export interface ProductPage {
  items: Product[];
  total: number;
}

export async function searchProducts(db: Queryable, search: ProductSearch): Promise<ProductPage> {
  // $1..$7 and $10 are always bound (null / 'all' = no filter), so the SQL text is the same for every search.
  const { rows } = await db.query<ProductRow & { total: string }>(
    `with recursive subtree as (
         select id from categories where slug = $2
         union all
         select c.id from categories c join subtree s on c.parent_id = s.id
       )
     select ${PRODUCT_COLUMNS}, count(*) over () as total
       from products p
      where ($10::text = 'all' or p.status = $10::text)
        and ($1::text is null or p.search @@ websearch_to_tsquery('simple', $1::text))
        and ($2::text is null or p.category_id in (select id from subtree))
        and ($3::text is null or p.currency = $3::text)
        and ($4::bigint is null or p.price_minor >= $4::bigint)
        and ($5::bigint is null or p.price_minor <= $5::bigint)
        and (not $6::boolean or p.stock_on_hand - p.stock_reserved > 0)
        and ($7::text is null or p.owner_id = $7::text)
      order by ${ORDER_BY[effectiveSort(search)]}
      limit $8 offset $9`,
    [
      search.text ?? null,
      search.category ?? null,
      search.currency ?? null,
      search.minPrice?.toString() ?? null,
      search.maxPrice?.toString() ?? null,
      search.inStock ?? false,
      search.ownerId ?? null,
      search.pageSize,
      pageOffset(search.page, search.pageSize),
      search.status ?? 'active',
    ],
  );
  return { items: rows.map(toProduct), total: rows[0] ? Number(rows[0].total) : await countOnly(db, search) };
}

/** A page past the end has no rows to carry the total; count separately then. */
async function countOnly(db: Queryable, search: ProductSearch): Promise<number> {
  if (search.page === 1) return 0;
  const { total } = await searchProducts(db, { ...search, page: 1, pageSize: 1 });
  return total;
}
