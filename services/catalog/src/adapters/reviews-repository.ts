// Reviews in PostgreSQL.
import type { Queryable } from '@shopstack/kit';
import type { Review } from '../domain/review.js';

interface ReviewRow {
  id: string;
  product_id: string;
  author_id: string;
  rating: number;
  title: string;
  body: string;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, product_id, author_id, rating, title, body, created_at, updated_at';

function toReview(row: ReviewRow): Review {
  return {
    id: row.id,
    productId: row.product_id,
    authorId: row.author_id,
    rating: row.rating,
    title: row.title,
    body: row.body,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function findReview(db: Queryable, id: string, lock = false): Promise<Review | undefined> {
  const { rows } = await db.query<ReviewRow>(
    `select ${COLUMNS} from reviews where id = $1${lock ? ' for update' : ''}`,
    [id],
  );
  return rows[0] ? toReview(rows[0]) : undefined;
}

export async function insertReview(db: Queryable, review: Review): Promise<void> {
  await db.query(
    `insert into reviews (id, product_id, author_id, rating, title, body, created_at, updated_at)
     values ($1, $2, $3, $4, $5, $6, $7, $7)`,
    [
      review.id,
      review.productId,
      review.authorId,
      review.rating,
      review.title,
      review.body,
      review.createdAt,
    ],
  );
}

export async function updateReview(
  db: Queryable,
  id: string,
  changes: { rating?: number | undefined; title?: string | undefined; body?: string | undefined },
): Promise<Review> {
  const { rows } = await db.query<ReviewRow>(
    `update reviews set rating = coalesce($2, rating), title = coalesce($3, title), body = coalesce($4, body),
            updated_at = now()
      where id = $1 returning ${COLUMNS}`,
    [id, changes.rating ?? null, changes.title ?? null, changes.body ?? null],
  );
  return toReview(rows[0]!);
}

export async function deleteReview(db: Queryable, id: string): Promise<void> {
  await db.query('delete from reviews where id = $1', [id]);
}

export interface ReviewPage {
  items: Review[];
  total: number;
}

/** Newest first, by product or by author. */
export async function listReviews(
  db: Queryable,
  filter: { productId?: string; authorId?: string },
  page: number,
  pageSize: number,
): Promise<ReviewPage> {
  const { rows } = await db.query<ReviewRow & { total: string }>(
    `select ${COLUMNS}, count(*) over () as total from reviews
      where ($1::uuid is null or product_id = $1::uuid) and ($2::text is null or author_id = $2::text)
      order by created_at desc, id limit $3 offset $4`,
    [filter.productId ?? null, filter.authorId ?? null, pageSize, (page - 1) * pageSize],
  );
  return { items: rows.map(toReview), total: rows[0] ? Number(rows[0].total) : 0 };
}
