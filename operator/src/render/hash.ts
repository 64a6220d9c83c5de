import { createHash } from 'node:crypto';

/** Short content hash, used as a pod annotation so config changes roll the pods. */
export function contentHash(...parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex').slice(0, 16);
}
