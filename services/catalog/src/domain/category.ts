// Categories form a tree; a category cannot become its own ancestor.

export interface Category {
  id: string;
  slug: string;
  name: string;
  parentId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * True when making `parentId` the parent of `categoryId` would close a loop. `parentOf` walks up the
 * current tree (every category reachable from `parentId`).
 */
export function wouldCreateCycle(
  categoryId: string,
  parentId: string | null,
  parentOf: ReadonlyMap<string, string | null>,
): boolean {
  const visited = new Set<string>();
  let current = parentId;
  while (current !== null && current !== undefined) {
    if (current === categoryId) return true;
    if (visited.has(current)) return true; // already a loop: refuse rather than spin
    visited.add(current);
    current = parentOf.get(current) ?? null;
  }
  return false;
}
