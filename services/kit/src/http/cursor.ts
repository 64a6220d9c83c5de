// Page cursors, one codec for every paginated list: opaque to clients (base64url of a JSON position)
// and checked against the position's schema when they come back, so a forged or truncated cursor is a
// 400 naming the field, never a 500 or a silently wrong page.
import { z } from 'zod';
import { AppError } from '../errors.js';

export function encodeCursor(position: Record<string, string>): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

function tryDecode<T extends z.ZodType>(
  position: T,
  cursor: string,
): { ok: true; value: z.output<T> } | { ok: false } {
  try {
    const parsed = position.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return parsed.success ? { ok: true, value: parsed.data } : { ok: false };
  } catch {
    return { ok: false };
  }
}

const NOT_A_CURSOR = 'a cursor returned by a previous page';

/** Decodes a cursor received outside schema validation (e.g. a gRPC page token). */
export function decodeCursor<T extends z.ZodType>(
  position: T,
  cursor: string,
  field = 'cursor',
): z.output<T> {
  const decoded = tryDecode(position, cursor);
  if (decoded.ok) return decoded.value;
  throw new AppError('invalid', 'invalid-cursor', `${field} is not a cursor from a previous page`, {
    fields: [{ field, message: NOT_A_CURSOR }],
  });
}

/** A query parameter holding a cursor, decoded during input validation into its position. */
export function cursorParam<T extends z.ZodType>(position: T) {
  return z
    .string()
    .max(500)
    .transform((value, ctx): z.output<T> => {
      const decoded = tryDecode(position, value);
      if (decoded.ok) return decoded.value;
      ctx.addIssue({ code: 'custom', message: NOT_A_CURSOR });
      return z.NEVER;
    });
}
