// Products: public reads (search, one product) with ETags; writes for admins and owning sellers.
import type { HttpRoutes } from '@shopstack/kit';
import type { CatalogDeps } from '../../app/deps.js';
import {
  createProduct,
  getProduct,
  searchProducts,
  setStockOnHand,
  updateProduct,
} from '../../app/products.js';
import { PRODUCT_WRITERS } from '../../domain/roles.js';
import { cacheableRead } from './etag.js';
import {
  CreateProductBody,
  IdParams,
  MyProductsQuery,
  ProductPageView,
  ProductSearchQuery,
  ProductView,
  StockBody,
  UpdateProductBody,
} from './schemas.js';
import { pageOf, productView } from './views.js';

export function addProductRoutes(routes: HttpRoutes, deps: CatalogDeps): void {
  routes.get(
    '/api/catalog/products',
    {
      summary:
        'Search active products: text, category (with subcategories), price range, stock, sorting, pages',
      tags: ['products'],
      query: ProductSearchQuery,
      responses: {
        200: { description: 'A page of products (ETag)', schema: ProductPageView },
        304: { description: 'Not modified since the ETag in If-None-Match' },
      },
    },
    async ({ query, ctx }) => {
      const page = await searchProducts(deps, {
        text: query.q,
        category: query.category,
        currency: query.currency,
        minPrice: query.minPrice,
        maxPrice: query.maxPrice,
        inStock: query.inStock === 'true',
        ownerId: query.owner,
        sort: query.sort,
        page: query.page,
        pageSize: query.pageSize,
      });
      return cacheableRead(ctx, pageOf(page, query, productView));
    },
  );

  routes.get(
    '/api/catalog/products/:id',
    {
      summary: 'One product (archived ones too, with purchasable = false)',
      tags: ['products'],
      params: IdParams,
      responses: {
        200: { description: 'The product (ETag)', schema: ProductView },
        304: { description: 'Not modified since the ETag in If-None-Match' },
        404: { description: 'No such product' },
      },
    },
    async ({ params, ctx }) => cacheableRead(ctx, productView(await getProduct(deps, params.id))),
  );

  routes.get(
    '/api/catalog/me/products',
    {
      summary: "The caller's own products, archived ones included (sellers and admins)",
      tags: ['products'],
      auth: PRODUCT_WRITERS,
      query: MyProductsQuery,
      responses: { 200: { description: 'A page of your products', schema: ProductPageView } },
    },
    async ({ query, user }) => {
      const page = await searchProducts(deps, {
        ownerId: user.id,
        status: query.status,
        sort: query.sort,
        page: query.page,
        pageSize: query.pageSize,
      });
      return { body: pageOf(page, query, productView) };
    },
  );

  routes.post(
    '/api/catalog/products',
    {
      summary: 'Create a product owned by the caller (admin or seller)',
      tags: ['products'],
      auth: PRODUCT_WRITERS,
      // A seller's catalog import runs on an API key with this scope.
      apiKeyScope: 'catalog:write',
      body: CreateProductBody,
      responses: { 201: { description: 'Created', schema: ProductView } },
    },
    async ({ body, user }) => {
      const product = await createProduct(deps, user, body);
      return {
        status: 201,
        body: productView(product),
        headers: { Location: `/api/catalog/products/${product.id}` },
      };
    },
  );

  routes.patch(
    '/api/catalog/products/:id',
    {
      summary: 'Change a product (admin, or the seller who owns it); status archived withdraws it from sale',
      tags: ['products'],
      auth: PRODUCT_WRITERS,
      // A seller's catalog import runs on an API key with this scope.
      apiKeyScope: 'catalog:write',
      params: IdParams,
      body: UpdateProductBody,
      responses: { 200: { description: 'Updated', schema: ProductView } },
    },
    async ({ params, body, user }) => ({
      body: productView(await updateProduct(deps, user, params.id, body)),
    }),
  );

  routes.delete(
    '/api/catalog/products/:id',
    {
      summary: 'Archive a product (it stays visible by id for order history, but cannot be bought)',
      tags: ['products'],
      auth: PRODUCT_WRITERS,
      params: IdParams,
      responses: { 204: { description: 'Archived' } },
    },
    async ({ params, user }) => {
      await updateProduct(deps, user, params.id, { status: 'archived' });
      return {};
    },
  );

  routes.put(
    '/api/catalog/products/:id/stock',
    {
      summary: 'Set the units on hand (must cover the units reserved for orders)',
      tags: ['products'],
      auth: PRODUCT_WRITERS,
      // A seller's catalog import runs on an API key with this scope.
      apiKeyScope: 'catalog:write',
      params: IdParams,
      body: StockBody,
      responses: {
        200: { description: 'Updated', schema: ProductView },
        409: { description: 'Below reserved' },
      },
    },
    async ({ params, body, user }) => ({
      body: productView(await setStockOnHand(deps, user, params.id, body.onHand)),
    }),
  );
}
