// Categories in PostgreSQL.
import type { Queryable } from '@shopstack/kit';
import type { Category } from '../domain/category.js';

interface CategoryRow {
  id: string;
  slug: string;
  name: string;
  parent_id: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, slug, name, parent_id, created_at, updated_at';

function toCategory(row: CategoryRow): Category {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    parentId: row.parent_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function listCategories(db: Queryable): Promise<Category[]> {
  const { rows } = await db.query<CategoryRow>(`select ${COLUMNS} from categories order by name, id`);
  return rows.map(toCategory);
}

export async function findCategory(db: Queryable, id: string): Promise<Category | undefined> {
  const { rows } = await db.query<CategoryRow>(`select ${COLUMNS} from categories where id = $1`, [id]);
  return rows[0] ? toCategory(rows[0]) : undefined;
}

export async function insertCategory(db: Queryable, category: Category): Promise<void> {
  await db.query(
    'insert into categories (id, slug, name, parent_id, created_at, updated_at) values ($1, $2, $3, $4, $5, $5)',
    [category.id, category.slug, category.name, category.parentId, category.createdAt],
  );
}

export async function updateCategory(
  db: Queryable,
  id: string,
  changes: { slug?: string | undefined; name?: string | undefined; parentId?: string | null | undefined },
): Promise<Category> {
  const { rows } = await db.query<CategoryRow>(
    `update categories set
        slug = coalesce($2, slug),
        name = coalesce($3, name),
        parent_id = case when $4::boolean then $5::uuid else parent_id end,
        updated_at = now()
      where id = $1 returning ${COLUMNS}`,
    [
      id,
      changes.slug ?? null,
      changes.name ?? null,
      changes.parentId !== undefined,
      changes.parentId ?? null,
    ],
  );
  return toCategory(rows[0]!);
}

/** Child → parent for the whole tree (small: categories number in the hundreds, not millions). */
export async function parentMap(db: Queryable): Promise<Map<string, string | null>> {
  const { rows } = await db.query<{ id: string; parent_id: string | null }>(
    'select id, parent_id from categories',
  );
  return new Map(rows.map((row) => [row.id, row.parent_id]));
}

/** What still points at a category: it cannot be deleted while anything does. */
export async function categoryUsage(
  db: Queryable,
  id: string,
): Promise<{ products: number; children: number }> {
  const { rows } = await db.query<{ products: number; children: number }>(
    `select (select count(*)::int from products where category_id = $1) as products,
            (select count(*)::int from categories where parent_id = $1) as children`,
    [id],
  );
  return rows[0]!;
}

export async function deleteCategory(db: Queryable, id: string): Promise<void> {
  await db.query('delete from categories where id = $1', [id]);
}
