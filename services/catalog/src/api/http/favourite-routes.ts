// Favourites: always the caller's own list (the path has no user id to tamper with).
import type { HttpRoutes } from '@shopstack/kit';
import type { CatalogDeps } from '../../app/deps.js';
import { addFavourite, myFavourites, removeFavourite } from '../../app/favourites.js';
import { FavouriteAddedView, FavouritePageView, PageQuery, ProductIdParams } from './schemas.js';
import { pageOf, productView } from './views.js';

export function addFavouriteRoutes(routes: HttpRoutes, deps: CatalogDeps): void {
  routes.get(
    '/api/catalog/me/favourites',
    {
      summary: 'Your favourite products, most recently added first',
      tags: ['favourites'],
      auth: true,
      query: PageQuery,
      responses: { 200: { description: 'A page of favourites', schema: FavouritePageView } },
    },
    async ({ query, user }) => ({
      body: pageOf(await myFavourites(deps, user, query.page, query.pageSize), query, (item) => ({
        product: productView(item.product),
        addedAt: item.addedAt.toISOString(),
      })),
    }),
  );

  routes.put(
    '/api/catalog/me/favourites/:productId',
    {
      summary: 'Add a product to your favourites (idempotent)',
      tags: ['favourites'],
      auth: true,
      params: ProductIdParams,
      responses: {
        201: { description: 'Added', schema: FavouriteAddedView },
        204: { description: 'Already a favourite' },
      },
    },
    async ({ params, user }) =>
      (await addFavourite(deps, user, params.productId))
        ? { status: 201, body: { productId: params.productId } }
        : {},
  );

  routes.delete(
    '/api/catalog/me/favourites/:productId',
    {
      summary: 'Remove a product from your favourites (idempotent)',
      tags: ['favourites'],
      auth: true,
      params: ProductIdParams,
      responses: { 204: { description: 'Removed (or was not a favourite)' } },
    },
    async ({ params, user }) => {
      await removeFavourite(deps, user, params.productId);
      return {};
    },
  );
}
