// Roles come from the verified access token's `role` claim.
import { AppError, type AuthenticatedUser } from '@shopstack/kit';

/** Who may create products: admins for the shop, sellers for themselves. */
export const PRODUCT_WRITERS = ['admin', 'seller'] as const;
export const CATEGORY_WRITERS = ['admin'] as const;
/** Who may remove any review (moderation). */
export const REVIEW_MODERATORS = ['admin', 'support'] as const;

/** Admins manage every product; a seller only the products they created. */
export function canManageProduct(user: AuthenticatedUser, ownerId: string): boolean {
  return user.role === 'admin' || (user.role === 'seller' && user.id === ownerId);
}

export function assertCanManageProduct(user: AuthenticatedUser, ownerId: string): void {
  if (!canManageProduct(user, ownerId))
    throw new AppError(
      'forbidden',
      'not-product-owner',
      'only the owner of this product or an admin may change it',
    );
}

export function canRemoveReview(user: AuthenticatedUser, authorId: string): boolean {
  return user.id === authorId || (REVIEW_MODERATORS as readonly string[]).includes(user.role);
}
