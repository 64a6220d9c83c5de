// Request schemas (zod) and response views of the REST API. The same schemas validate input and
// document the API in /openapi.json. Unknown fields are rejected, so a typo is a 400, not a no-op.
import { z } from 'zod';
import { isCurrency, parseMinorUnits } from '../../domain/money.js';
import { MAX_RATING, MIN_RATING } from '../../domain/rating.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, SORTS } from '../../domain/search.js';

const MAX_STOCK = 1_000_000_000;

/** Minor units as a string of digits (or a safe integer), read as bigint. */
export const MinorUnits = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const parsed = parseMinorUnits(value);
  if (parsed === undefined) {
    ctx.addIssue({ code: 'custom', message: 'must be a non-negative integer amount of minor units' });
    return z.NEVER;
  }
  return parsed;
});

export const Currency = z.string().refine(isCurrency, 'must be an ISO 4217 code in upper case, e.g. EUR');
const Name = z.string().trim().min(1).max(200);
const Description = z.string().max(10_000);
const StockCount = z.number().int().min(0).max(MAX_STOCK);
const Slug = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be lower-case words joined by hyphens');

export const IdParams = z.strictObject({ id: z.uuid() });
export const ProductIdParams = z.strictObject({ productId: z.uuid() });

const pageFields = {
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
};
export const PageQuery = z.strictObject(pageFields);

export const ProductSearchQuery = z
  .strictObject({
    q: z.string().trim().min(1).max(200).optional(),
    category: Slug.optional(),
    currency: Currency.optional(),
    minPrice: MinorUnits.optional(),
    maxPrice: MinorUnits.optional(),
    inStock: z.enum(['true', 'false']).optional(),
    owner: z.string().min(1).max(128).optional(),
    sort: z.enum(SORTS).default('relevance'),
    ...pageFields,
  })
  .superRefine((query, ctx) => {
    if (query.minPrice !== undefined && query.maxPrice !== undefined && query.minPrice > query.maxPrice) {
      for (const field of ['minPrice', 'maxPrice'])
        ctx.addIssue({ code: 'custom', path: [field], message: 'minPrice must not exceed maxPrice' });
    }
  });

export const MyProductsQuery = z.strictObject({
  status: z.enum(['active', 'archived', 'all']).default('all'),
  sort: z.enum(SORTS).default('newest'),
  ...pageFields,
});

export const CreateProductBody = z.strictObject({
  name: Name,
  description: Description.default(''),
  categoryId: z.uuid().nullable().default(null),
  priceMinor: MinorUnits,
  currency: Currency,
  stockOnHand: StockCount.default(0),
});

export const UpdateProductBody = z
  .strictObject({
    name: Name.optional(),
    description: Description.optional(),
    categoryId: z.uuid().nullable().optional(),
    priceMinor: MinorUnits.optional(),
    currency: Currency.optional(),
    status: z.enum(['active', 'archived']).optional(),
  })
  .refine(
    (body) => Object.values(body).some((value) => value !== undefined),
    'must change at least one field',
  );

export const StockBody = z.strictObject({ onHand: StockCount });

export const CreateCategoryBody = z.strictObject({
  slug: Slug,
  name: Name,
  parentId: z.uuid().nullable().default(null),
});

export const UpdateCategoryBody = z
  .strictObject({ slug: Slug.optional(), name: Name.optional(), parentId: z.uuid().nullable().optional() })
  .refine(
    (body) => Object.values(body).some((value) => value !== undefined),
    'must change at least one field',
  );

const Rating = z.number().int().min(MIN_RATING).max(MAX_RATING);
export const CreateReviewBody = z.strictObject({
  rating: Rating,
  title: z.string().trim().max(200).default(''),
  body: z.string().trim().max(5_000).default(''),
});
export const UpdateReviewBody = z
  .strictObject({
    rating: Rating.optional(),
    title: z.string().trim().max(200).optional(),
    body: z.string().trim().max(5_000).optional(),
  })
  .refine(
    (body) => Object.values(body).some((value) => value !== undefined),
    'must change at least one field',
  );

// Views (documentation of what the API answers).
export const ProductView = z.object({
  id: z.uuid(),
  ownerId: z.string(),
  name: z.string(),
  description: z.string(),
  categoryId: z.uuid().nullable(),
  priceMinor: z.string().describe('integer minor units'),
  currency: z.string(),
  stock: z.object({ onHand: z.number(), reserved: z.number(), available: z.number() }),
  status: z.enum(['active', 'archived']),
  purchasable: z.boolean(),
  rating: z.object({ average: z.number(), count: z.number() }),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const pageView = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), page: z.number(), pageSize: z.number(), total: z.number() });
export const ProductPageView = pageView(ProductView);
export const CategoryView = z.object({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  parentId: z.uuid().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const CategoryListView = z.object({ items: z.array(CategoryView) });
export const ReviewView = z.object({
  id: z.uuid(),
  productId: z.uuid(),
  authorId: z.string(),
  rating: z.number(),
  title: z.string(),
  body: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const ReviewPageView = pageView(ReviewView);
export const FavouritePageView = pageView(z.object({ product: ProductView, addedAt: z.string() }));
export const FavouriteAddedView = z.object({ productId: z.uuid() });
