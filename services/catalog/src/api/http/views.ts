// Domain objects → JSON. Money leaves as a string of digits (bigint does not fit JSON numbers).
import type { Category } from '../../domain/category.js';
import { isPurchasable, type Product, productRating, stockAvailable } from '../../domain/product.js';
import type { Review } from '../../domain/review.js';

export function productView(product: Product) {
  return {
    id: product.id,
    ownerId: product.ownerId,
    name: product.name,
    description: product.description,
    categoryId: product.categoryId,
    priceMinor: product.priceMinor.toString(),
    currency: product.currency,
    stock: {
      onHand: product.stockOnHand,
      reserved: product.stockReserved,
      available: stockAvailable(product),
    },
    status: product.status,
    purchasable: isPurchasable(product),
    rating: { average: productRating(product), count: product.reviewCount },
    createdAt: product.createdAt.toISOString(),
    updatedAt: product.updatedAt.toISOString(),
  };
}

export function categoryView(category: Category) {
  return {
    id: category.id,
    slug: category.slug,
    name: category.name,
    parentId: category.parentId,
    createdAt: category.createdAt.toISOString(),
    updatedAt: category.updatedAt.toISOString(),
  };
}

export function reviewView(review: Review) {
  return {
    id: review.id,
    productId: review.productId,
    authorId: review.authorId,
    rating: review.rating,
    title: review.title,
    body: review.body,
    createdAt: review.createdAt.toISOString(),
    updatedAt: review.updatedAt.toISOString(),
  };
}

export function pageOf<T, V>(
  page: { items: T[]; total: number },
  at: { page: number; pageSize: number },
  view: (item: T) => V,
) {
  return { items: page.items.map(view), page: at.page, pageSize: at.pageSize, total: page.total };
}
