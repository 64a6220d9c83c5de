// Ratings: whole stars from 1 to 5. A product keeps the sum and the count, so its average is exact
// and each review change adjusts both in the same transaction as the review itself.

export const MIN_RATING = 1;
export const MAX_RATING = 5;

export interface RatingTotals {
  sum: number;
  count: number;
}

/** The average rounded to two decimals; 0 when there are no reviews. */
export function averageRating(totals: RatingTotals): number {
  if (totals.count === 0) return 0;
  return Math.round((totals.sum / totals.count) * 100) / 100;
}

/** How a review change moves the totals: added (before undefined), edited, or removed (after undefined). */
export function ratingDelta(before: number | undefined, after: number | undefined): RatingTotals {
  return {
    sum: (after ?? 0) - (before ?? 0),
    count: (after === undefined ? 0 : 1) - (before === undefined ? 0 : 1),
  };
}
