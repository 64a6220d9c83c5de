// Category commands and queries (admin writes, public reads).
import { randomUUID } from 'node:crypto';
import { AppError, isUniqueViolation, PG_SERIALIZATION_FAILURE, withTransaction } from '@shopstack/kit';
import {
  categoryUsage,
  deleteCategory as deleteInDb,
  findCategory,
  insertCategory,
  listCategories,
  parentMap,
  updateCategory as updateInDb,
} from '../adapters/categories-repository.js';
import { type Category, wouldCreateCycle } from '../domain/category.js';
import type { CatalogDeps } from './deps.js';

const PG_FOREIGN_KEY_VIOLATION = '23503';

function slugTaken(slug: string) {
  return new AppError('conflict', 'category-slug-taken', `a category with slug ${slug} exists`, {
    fields: [{ field: 'slug', message: 'already taken' }],
  });
}

function categoryNotFound(id: string) {
  return new AppError('not_found', 'category-not-found', `no category with id ${id}`);
}

function unknownParent(id: string) {
  return new AppError('invalid', 'unknown-category', `no category with id ${id}`, {
    title: 'Unknown category',
    fields: [{ field: 'parentId', message: 'no such category' }],
  });
}

export function getCategories(deps: CatalogDeps): Promise<Category[]> {
  return listCategories(deps.pool);
}

export async function getCategory(deps: CatalogDeps, id: string): Promise<Category> {
  const category = await findCategory(deps.pool, id);
  if (!category) throw categoryNotFound(id);
  return category;
}

export async function createCategory(
  deps: CatalogDeps,
  input: { slug: string; name: string; parentId: string | null },
): Promise<Category> {
  if (input.parentId && !(await findCategory(deps.pool, input.parentId))) throw unknownParent(input.parentId);
  const now = new Date();
  const category: Category = { id: randomUUID(), ...input, createdAt: now, updatedAt: now };
  try {
    await insertCategory(deps.pool, category);
  } catch (error) {
    if (isUniqueViolation(error)) throw slugTaken(input.slug);
    throw error;
  }
  return category;
}

export async function updateCategory(
  deps: CatalogDeps,
  id: string,
  changes: { slug?: string | undefined; name?: string | undefined; parentId?: string | null | undefined },
): Promise<Category> {
  try {
    // Serializable: two concurrent re-parentings must not build a loop between them.
    return await withTransaction(
      deps.pool,
      async (client) => {
        if (!(await findCategory(client, id))) throw categoryNotFound(id);
        if (changes.parentId) {
          const parents = await parentMap(client);
          if (!parents.has(changes.parentId)) throw unknownParent(changes.parentId);
          if (wouldCreateCycle(id, changes.parentId, parents)) {
            throw new AppError('invalid', 'category-cycle', 'a category cannot be placed under itself', {
              title: 'Category cycle',
              fields: [{ field: 'parentId', message: 'is this category or one of its descendants' }],
            });
          }
        }
        return updateInDb(client, id, changes);
      },
      'serializable',
    );
  } catch (error) {
    if (isUniqueViolation(error)) throw slugTaken(changes.slug ?? '');
    if ((error as { code?: string }).code === PG_SERIALIZATION_FAILURE) {
      throw new AppError('unavailable', 'concurrent-update', 'the category tree changed meanwhile; retry', {
        retryAfterSeconds: 1,
      });
    }
    throw error;
  }
}

function categoryInUse(detail: string) {
  return new AppError('conflict', 'category-in-use', detail);
}

export async function deleteCategory(deps: CatalogDeps, id: string): Promise<void> {
  try {
    await withTransaction(deps.pool, async (client) => {
      if (!(await findCategory(client, id))) throw categoryNotFound(id);
      const usage = await categoryUsage(client, id);
      if (usage.products > 0 || usage.children > 0) {
        throw categoryInUse(
          `category has ${usage.products} products and ${usage.children} subcategories; move them first`,
        );
      }
      await deleteInDb(client, id);
    });
  } catch (error) {
    // A product or subcategory added meanwhile: the foreign key refused the delete.
    if ((error as { code?: string }).code === PG_FOREIGN_KEY_VIOLATION)
      throw categoryInUse('category gained products or subcategories meanwhile; move them first');
    throw error;
  }
}
