// Categories: public reads with ETags, admin writes.
import type { HttpRoutes } from '@shopstack/kit';
import {
  createCategory,
  deleteCategory,
  getCategories,
  getCategory,
  updateCategory,
} from '../../app/categories.js';
import type { CatalogDeps } from '../../app/deps.js';
import { CATEGORY_WRITERS } from '../../domain/roles.js';
import { cacheableRead } from './etag.js';
import {
  CategoryListView,
  CategoryView,
  CreateCategoryBody,
  IdParams,
  UpdateCategoryBody,
} from './schemas.js';
import { categoryView } from './views.js';

export function addCategoryRoutes(routes: HttpRoutes, deps: CatalogDeps): void {
  routes.get(
    '/api/catalog/categories',
    {
      summary: 'All categories (a tree through parentId)',
      tags: ['categories'],
      responses: {
        200: { description: 'Categories (ETag)', schema: CategoryListView },
        304: { description: 'Not modified' },
      },
    },
    async ({ ctx }) => cacheableRead(ctx, { items: (await getCategories(deps)).map(categoryView) }),
  );

  routes.get(
    '/api/catalog/categories/:id',
    {
      summary: 'One category',
      tags: ['categories'],
      params: IdParams,
      responses: {
        200: { description: 'The category (ETag)', schema: CategoryView },
        404: { description: 'No such category' },
      },
    },
    async ({ params, ctx }) => cacheableRead(ctx, categoryView(await getCategory(deps, params.id))),
  );

  routes.post(
    '/api/catalog/categories',
    {
      summary: 'Create a category',
      tags: ['categories'],
      auth: CATEGORY_WRITERS,
      body: CreateCategoryBody,
      responses: {
        201: { description: 'Created', schema: CategoryView },
        409: { description: 'Slug taken' },
      },
    },
    async ({ body }) => ({ status: 201, body: categoryView(await createCategory(deps, body)) }),
  );

  routes.patch(
    '/api/catalog/categories/:id',
    {
      summary: 'Rename, re-slug or move a category',
      tags: ['categories'],
      auth: CATEGORY_WRITERS,
      params: IdParams,
      body: UpdateCategoryBody,
      responses: { 200: { description: 'Updated', schema: CategoryView } },
    },
    async ({ params, body }) => ({ body: categoryView(await updateCategory(deps, params.id, body)) }),
  );

  routes.delete(
    '/api/catalog/categories/:id',
    {
      summary: 'Delete an empty category (no products, no subcategories)',
      tags: ['categories'],
      auth: CATEGORY_WRITERS,
      params: IdParams,
      responses: { 204: { description: 'Deleted' }, 409: { description: 'Still in use' } },
    },
    async ({ params }) => {
      await deleteCategory(deps, params.id);
      return {};
    },
  );
}
