// The Idempotency-Key request header: a write that declares it is refused without one, and a replay
// under the same key returns the first result (the service keeps that promise; this file only reads
// and documents the header, so every route spells it the same way).
import type { Context } from 'koa';
import { AppError } from '../errors.js';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
const IDEMPOTENCY_KEY_PATTERN = '^[A-Za-z0-9_\\-:.]{1,128}$';
const IDEMPOTENCY_KEY = new RegExp(IDEMPOTENCY_KEY_PATTERN);

export function readIdempotencyKey(ctx: Context): string {
  const key = ctx.get(IDEMPOTENCY_KEY_HEADER);
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new AppError(
      'invalid',
      'idempotency-key-required',
      'send an Idempotency-Key header (1-128 of A-Z a-z 0-9 _ - : .)',
      {
        title: 'Request validation failed',
        fields: [{ field: IDEMPOTENCY_KEY_HEADER, message: key ? 'malformed' : 'required' }],
      },
    );
  }
  return key;
}

/** The header as an OpenAPI parameter, for the routes that require it. */
export const idempotencyKeyParameter = {
  name: IDEMPOTENCY_KEY_HEADER,
  in: 'header',
  required: true,
  description: 'Chosen by the client, one per intended operation; a replay returns the first result.',
  schema: { type: 'string', pattern: IDEMPOTENCY_KEY_PATTERN },
};
