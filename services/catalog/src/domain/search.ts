// Product search parameters, as the domain understands them. The adapter turns them into SQL.

export const SORTS = ['relevance', 'newest', 'price_asc', 'price_desc', 'rating', 'name'] as const;
export type ProductSort = (typeof SORTS)[number];

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

export interface ProductSearch {
  text?: string | undefined;
  /** Slug of a category; its subcategories are included. */
  category?: string | undefined;
  currency?: string | undefined;
  minPrice?: bigint | undefined;
  maxPrice?: bigint | undefined;
  inStock?: boolean | undefined;
  ownerId?: string | undefined;
  /** Public search shows active products only; an owner's own list may show archived ones. */
  status?: 'active' | 'archived' | 'all' | undefined;
  sort: ProductSort;
  page: number;
  pageSize: number;
}

/** Relevance only means something with a text query; without one the newest come first. */
export function effectiveSort(
  search: Pick<ProductSearch, 'sort' | 'text'>,
): Exclude<ProductSort, 'relevance'> | 'relevance' {
  return search.sort === 'relevance' && !search.text ? 'newest' : search.sort;
}

export function pageOffset(page: number, pageSize: number): number {
  return (page - 1) * pageSize;
}
