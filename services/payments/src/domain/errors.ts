// Failures the application reports; the API layer maps them to problem+json (HTTP) or status codes (gRPC).

export class NotFoundError extends Error {
  constructor(readonly what: string) {
    super(`${what} not found`);
  }
}

/** The idempotency key was already used for a request with different arguments. */
export class IdempotencyConflictError extends Error {
  constructor() {
    super('idempotency key already used with different arguments');
  }
}

/** The request is well formed but contradicts the current state (for example more than authorized). */
export class InvalidRequestError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}
