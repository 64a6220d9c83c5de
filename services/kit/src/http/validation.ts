// zod at the boundary: input that does not match becomes a 400 naming every offending field.
import type { z } from 'zod';
import { AppError, type FieldIssue } from '../errors.js';

export type InputLocation = 'body' | 'query' | 'params';

export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  location: InputLocation,
): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const fields: FieldIssue[] = result.error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.join('.') : location,
    message: issue.message,
  }));
  const names = [...new Set(fields.map((f) => f.field))].join(', ');
  throw new AppError('invalid', 'validation', `invalid ${location}: ${names}`, {
    title: 'Request validation failed',
    fields,
  });
}
