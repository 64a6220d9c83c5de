// Reviews: one per buyer per product, only from someone who bought it.

export interface Review {
  id: string;
  productId: string;
  authorId: string;
  rating: number;
  title: string;
  body: string;
  createdAt: Date;
  updatedAt: Date;
}
