// zod at the boundary: input that does not match becomes a 400 naming every offending field.
// Before any schema runs, every string in the input (values and keys) is checked for what the stores
// cannot keep: PostgreSQL refuses NUL in text, and a lone UTF-16 surrogate cannot be encoded as UTF-8
// (drivers would silently store U+FFFD instead). After the schema, every bigint it produced is held
// to the range of a PostgreSQL bigint / MongoDB Long. So no route has to remember either rule.
import { z } from 'zod';
import { AppError, type FieldIssue } from '../errors.js';

export type InputLocation = 'body' | 'query' | 'params';

export const INT4_MIN = -2_147_483_648;
export const INT4_MAX = 2_147_483_647;
export const INT8_MIN = -9_223_372_036_854_775_808n;
export const INT8_MAX = 9_223_372_036_854_775_807n;

/** A NUL, or a high surrogate not followed by a low one, or a low one not preceded by a high one. */
// No `u` flag: the regex must see UTF-16 code units, or lone surrogates would be hidden from it.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching NUL is the point
const UNSAFE_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSAFE_TEXT_MESSAGE = 'must not contain NUL characters or unpaired UTF-16 surrogates';

export function isStoreSafeText(text: string): boolean {
  return !UNSAFE_TEXT.test(text);
}

/** A string of decimal digits that fits a PostgreSQL bigint (ids from bigserial columns, cursors). */
export const bigintDigits = z
  .string()
  .regex(/^\d{1,19}$/, 'must be a whole number')
  // zod runs refinements after a failed regex too, so this one must not assume digits.
  .refine((value) => !/^\d+$/.test(value) || BigInt(value) <= INT8_MAX, `must be at most ${INT8_MAX}`);

export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  location: InputLocation,
): z.infer<S> {
  assertStoreSafe(value, location);
  const result = schema.safeParse(value);
  if (!result.success) {
    throw invalid(
      location,
      result.error.issues.map((issue) => ({
        field: fieldName(issue.path, location),
        message: issue.message,
      })),
    );
  }
  const outOfRange: FieldIssue[] = [];
  visit(result.data, [], (leaf, path) => {
    if (typeof leaf === 'bigint' && (leaf > INT8_MAX || leaf < INT8_MIN)) {
      outOfRange.push({
        field: fieldName(path, location),
        message: `must be between ${INT8_MIN} and ${INT8_MAX}`,
      });
    }
  });
  if (outOfRange.length > 0) throw invalid(location, outOfRange);
  return result.data;
}

/** Refuses input holding text the stores cannot keep; used for input parsed without a schema too. */
export function assertStoreSafe(value: unknown, location: InputLocation): void {
  const fields: FieldIssue[] = [];
  visit(value, [], (leaf, path) => {
    if (typeof leaf === 'string' && !isStoreSafeText(leaf)) {
      fields.push({ field: fieldName(path, location), message: UNSAFE_TEXT_MESSAGE });
    }
  });
  if (fields.length > 0) throw invalid(location, fields);
}

function visit(
  value: unknown,
  path: PropertyKey[],
  onLeaf: (leaf: unknown, path: PropertyKey[]) => void,
): void {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) visit(item, [...path, index], onLeaf);
  } else if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    for (const [key, item] of Object.entries(value)) {
      if (!isStoreSafeText(key)) onLeaf(key, [...path, sanitizeKey(key)]);
      visit(item, [...path, key], onLeaf);
    }
  } else {
    onLeaf(value, path);
  }
}

/** A key that is itself unsafe is named with its bad code units escaped, so the reply stays valid. */
function sanitizeKey(key: string): string {
  return key.replace(
    new RegExp(UNSAFE_TEXT.source, 'g'),
    (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function fieldName(path: readonly PropertyKey[], location: InputLocation): string {
  if (path.length === 0) return location;
  return path.map((part) => (typeof part === 'string' ? sanitizeKey(part) : String(part))).join('.');
}

function invalid(location: InputLocation, fields: FieldIssue[]): AppError {
  const names = [...new Set(fields.map((f) => f.field))].join(', ');
  return new AppError('invalid', 'validation', `invalid ${location}: ${names}`, {
    title: 'Request validation failed',
    fields,
  });
}
