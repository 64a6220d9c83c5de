// Reads a JSON request body with a hard size limit. The limit is enforced while streaming, so an
// oversized body is refused without being buffered whole.
import type { Context } from 'koa';
import { AppError } from '../errors.js';

export async function readJsonBody(ctx: Context, limitBytes: number): Promise<unknown> {
  const declared = Number(ctx.get('content-length') || '0');
  if (declared > limitBytes) throw tooLarge(limitBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) throw tooLarge(limitBytes);
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  if (!ctx.is('application/json', 'application/*+json')) {
    throw new AppError(
      'unsupported_media_type',
      'unsupported-media-type',
      'send the body as application/json',
    );
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new AppError('invalid', 'malformed-json', 'the body is not valid JSON', {
      fields: [{ field: 'body', message: 'malformed JSON' }],
    });
  }
}

function tooLarge(limitBytes: number) {
  return new AppError('too_large', 'body-too-large', `the body exceeds ${limitBytes} bytes`);
}
