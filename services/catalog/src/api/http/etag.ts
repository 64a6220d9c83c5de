// ETags for public reads: a hash of the representation, so any change to what a client would see
// (price, stock, rating) changes the tag. If-None-Match with a current tag answers 304 without a body.
import { createHash } from 'node:crypto';
import type { RouteResult } from '@shopstack/kit';
import type { Context } from 'koa';

export function etagOf(body: unknown): string {
  return `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 27)}"`;
}

/** `If-None-Match` may list several tags, weak or strong, or `*`. */
export function matchesIfNoneMatch(header: string, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/** Answers a cacheable read: 200 with the body and its ETag, or 304 when the client has it already. */
export function cacheableRead(ctx: Context, body: unknown): RouteResult {
  const etag = etagOf(body);
  // Clients may keep a copy but must revalidate it: stock and prices change at any time.
  const headers = { ETag: etag, 'Cache-Control': 'public, no-cache' };
  if (matchesIfNoneMatch(ctx.get('if-none-match'), etag)) return { status: 304, headers };
  return { status: 200, body, headers };
}
