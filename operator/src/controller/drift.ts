// Decides whether a child must be (re)applied. Steady state must cost no API writes, so the operator
// applies only when the object in the cache differs from what it wants.

/**
 * True when every field the operator sets has the same value in the observed object. Fields the server
 * or other controllers add (defaults, status, other managers' annotations) do not count as drift.
 */
export function isSubset(desired: unknown, observed: unknown): boolean {
  if (desired === observed) return true;
  if (Array.isArray(desired)) {
    return (
      Array.isArray(observed) &&
      desired.length === observed.length &&
      desired.every((item, index) => isSubset(item, observed[index]))
    );
  }
  if (desired !== null && typeof desired === 'object') {
    if (observed === null || typeof observed !== 'object' || Array.isArray(observed)) return false;
    const observedRecord = observed as Record<string, unknown>;
    return Object.entries(desired as Record<string, unknown>).every(([key, value]) =>
      // An empty object is what the server omits (e.g. emptyDir: {} is kept, but {} fields may be dropped).
      key in observedRecord ? isSubset(value, observedRecord[key]) : isEmpty(value),
    );
  }
  return false;
}

function isEmpty(value: unknown): boolean {
  return (
    value === undefined || (typeof value === 'object' && value !== null && Object.keys(value).length === 0)
  );
}

/**
 * Remembers, per child, which desired content was last applied and the resourceVersion the server
 * returned. The server normalizes some values (e.g. quantities "0.5" → "500m"), which the subset check
 * would see as drift forever; an unchanged resourceVersion proves nobody touched the object since.
 */
export class AppliedMemo {
  /** Per shop key, per child key: what was applied and what the server answered. */
  private readonly applied = new Map<string, Map<string, { hash: string; resourceVersion: string }>>();

  isCurrent(shop: string, child: string, hash: string, resourceVersion: string | undefined): boolean {
    const entry = this.applied.get(shop)?.get(child);
    return entry !== undefined && entry.hash === hash && entry.resourceVersion === resourceVersion;
  }

  record(shop: string, child: string, hash: string, resourceVersion: string | undefined): void {
    if (!resourceVersion) return;
    let children = this.applied.get(shop);
    if (!children) {
      children = new Map();
      this.applied.set(shop, children);
    }
    children.set(child, { hash, resourceVersion });
  }

  /** The shop is gone: its children go with it. */
  forget(shop: string): void {
    this.applied.delete(shop);
  }
}
