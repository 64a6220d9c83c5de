// Reviews: public per product; written by buyers, changed only by their authors.
import type { HttpRoutes } from '@shopstack/kit';
import type { CatalogDeps } from '../../app/deps.js';
import { createReview, deleteReview, productReviews, reviewsBy, updateReview } from '../../app/reviews.js';
import { cacheableRead } from './etag.js';
import {
  CreateReviewBody,
  IdParams,
  PageQuery,
  ReviewPageView,
  ReviewView,
  UpdateReviewBody,
} from './schemas.js';
import { pageOf, reviewView } from './views.js';

export function addReviewRoutes(routes: HttpRoutes, deps: CatalogDeps): void {
  routes.get(
    '/api/catalog/products/:id/reviews',
    {
      summary: "A product's reviews, newest first",
      tags: ['reviews'],
      params: IdParams,
      query: PageQuery,
      responses: {
        200: { description: 'A page of reviews (ETag)', schema: ReviewPageView },
        304: { description: 'Not modified' },
      },
    },
    async ({ params, query, ctx }) =>
      cacheableRead(
        ctx,
        pageOf(await productReviews(deps, params.id, query.page, query.pageSize), query, reviewView),
      ),
  );

  routes.post(
    '/api/catalog/products/:id/reviews',
    {
      summary: 'Review a product you bought (one review per product)',
      tags: ['reviews'],
      auth: true,
      params: IdParams,
      body: CreateReviewBody,
      responses: {
        201: { description: 'Created', schema: ReviewView },
        403: { description: 'You have not bought this product' },
        409: { description: 'You already reviewed it' },
      },
    },
    async ({ params, body, user }) => ({
      status: 201,
      body: reviewView(await createReview(deps, user, params.id, body)),
    }),
  );

  routes.patch(
    '/api/catalog/reviews/:id',
    {
      summary: 'Edit your review',
      tags: ['reviews'],
      auth: true,
      params: IdParams,
      body: UpdateReviewBody,
      responses: {
        200: { description: 'Updated', schema: ReviewView },
        403: { description: 'Not your review' },
      },
    },
    async ({ params, body, user }) => ({ body: reviewView(await updateReview(deps, user, params.id, body)) }),
  );

  routes.delete(
    '/api/catalog/reviews/:id',
    {
      summary: 'Delete your review (admins and support may delete any)',
      tags: ['reviews'],
      auth: true,
      params: IdParams,
      responses: { 204: { description: 'Deleted' }, 403: { description: 'Not your review' } },
    },
    async ({ params, user }) => {
      await deleteReview(deps, user, params.id);
      return {};
    },
  );

  routes.get(
    '/api/catalog/me/reviews',
    {
      summary: 'Your reviews, newest first',
      tags: ['reviews'],
      auth: true,
      query: PageQuery,
      responses: { 200: { description: 'A page of your reviews', schema: ReviewPageView } },
    },
    async ({ query, user }) => ({
      body: pageOf(await reviewsBy(deps, user.id, query.page, query.pageSize), query, reviewView),
    }),
  );
}
