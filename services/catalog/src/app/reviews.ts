// Reviews: one per buyer per product, only from someone who bought it (learned from order events).
// The product's rating totals change in the same transaction as the review, so the average is
// always current.
import { randomUUID } from 'node:crypto';
import { AppError, type AuthenticatedUser, isUniqueViolation, withTransaction } from '@shopstack/kit';
import { adjustRating, findProduct } from '../adapters/products-repository.js';
import { hasPurchased } from '../adapters/purchases-repository.js';
import {
  deleteReview as deleteInDb,
  findReview,
  insertReview,
  listReviews,
  updateReview as updateInDb,
} from '../adapters/reviews-repository.js';
import { ratingDelta } from '../domain/rating.js';
import type { Review } from '../domain/review.js';
import { canRemoveReview } from '../domain/roles.js';
import type { CatalogDeps } from './deps.js';
import { productNotFound } from './products.js';

export interface ReviewInput {
  rating: number;
  title: string;
  body: string;
}

function reviewNotFound(id: string) {
  return new AppError('not_found', 'review-not-found', `no review with id ${id}`);
}

function notAuthor() {
  return new AppError('forbidden', 'not-review-author', 'only the author may change this review');
}

export async function createReview(
  deps: CatalogDeps,
  user: AuthenticatedUser,
  productId: string,
  input: ReviewInput,
): Promise<Review> {
  try {
    return await withTransaction(deps.pool, async (client) => {
      // Locking the product serializes rating updates of one product.
      const product = await findProduct(client, productId, true);
      if (!product) throw productNotFound(productId);
      if (!(await hasPurchased(client, user.id, productId))) {
        throw new AppError(
          'forbidden',
          'not-a-buyer',
          'only customers who bought this product may review it',
        );
      }
      const now = new Date();
      const review: Review = {
        id: randomUUID(),
        productId,
        authorId: user.id,
        ...input,
        createdAt: now,
        updatedAt: now,
      };
      await insertReview(client, review);
      const delta = ratingDelta(undefined, input.rating);
      await adjustRating(client, productId, delta.sum, delta.count);
      return review;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'reviews_one_per_author')) {
      throw new AppError(
        'conflict',
        'review-exists',
        'you have already reviewed this product; edit that review',
      );
    }
    throw error;
  }
}

export async function updateReview(
  deps: CatalogDeps,
  user: AuthenticatedUser,
  reviewId: string,
  changes: Partial<ReviewInput>,
): Promise<Review> {
  return withTransaction(deps.pool, async (client) => {
    const review = await lockReviewWithProduct(client, reviewId);
    if (review.authorId !== user.id) throw notAuthor();
    const updated = await updateInDb(client, reviewId, changes);
    const delta = ratingDelta(review.rating, updated.rating);
    if (delta.sum !== 0) await adjustRating(client, review.productId, delta.sum, delta.count);
    return updated;
  });
}

/** Authors remove their own reviews; admins and support remove any (moderation). */
export async function deleteReview(
  deps: CatalogDeps,
  user: AuthenticatedUser,
  reviewId: string,
): Promise<void> {
  await withTransaction(deps.pool, async (client) => {
    const review = await lockReviewWithProduct(client, reviewId);
    if (!canRemoveReview(user, review.authorId)) throw notAuthor();
    await deleteInDb(client, reviewId);
    const delta = ratingDelta(review.rating, undefined);
    await adjustRating(client, review.productId, delta.sum, delta.count);
  });
}

/** Product first, then review: the same lock order as createReview, so they never deadlock. */
async function lockReviewWithProduct(client: Parameters<typeof findReview>[0], reviewId: string) {
  const unlocked = await findReview(client, reviewId);
  if (!unlocked) throw reviewNotFound(reviewId);
  await findProduct(client, unlocked.productId, true);
  const review = await findReview(client, reviewId, true);
  if (!review) throw reviewNotFound(reviewId);
  return review;
}

export async function productReviews(deps: CatalogDeps, productId: string, page: number, pageSize: number) {
  if (!(await findProduct(deps.pool, productId))) throw productNotFound(productId);
  return listReviews(deps.pool, { productId }, page, pageSize);
}

export function reviewsBy(deps: CatalogDeps, authorId: string, page: number, pageSize: number) {
  return listReviews(deps.pool, { authorId }, page, pageSize);
}
