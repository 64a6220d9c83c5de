// The failures the payments use cases report, as kit AppErrors (problem+json over HTTP, a status over gRPC).
import { AppError } from '@shopstack/kit';

export function notFound(what: string): AppError {
  return new AppError('not_found', `${what}-not-found`, `${what} not found`);
}

export function idempotencyConflict(field = 'idempotencyKey'): AppError {
  return new AppError(
    'conflict',
    'idempotency-key-reused',
    'this idempotency key was used for a different request',
    {
      fields: [{ field, message: 'already used with different arguments' }],
    },
  );
}

export function invalid(field: string, message: string): AppError {
  return new AppError('invalid', 'validation', `${field}: ${message}`, {
    title: 'Request validation failed',
    fields: [{ field, message }],
  });
}

export function unprocessable(code: string, field: string, message: string): AppError {
  // A well-formed request the current state cannot accept; "invalid" (400) so nothing was changed.
  return new AppError('invalid', code, message, { fields: [{ field, message }] });
}

export function noProvider(): AppError {
  // 409: the request is fine, this shop is not set up for it; retrying will not help.
  return new AppError(
    'conflict',
    'no-payment-provider',
    'this shop has no payment provider configured, so top-ups and withdrawals are switched off',
    { title: 'No payment provider' },
  );
}
