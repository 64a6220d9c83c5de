// One error type for the application and domain layers. It says *what kind* of failure happened;
// the HTTP layer turns it into problem+json and the gRPC layer into a status code, so use cases
// never know which transport called them.

export type ErrorKind =
  | 'invalid' // 400 / INVALID_ARGUMENT
  | 'unauthenticated' // 401 / UNAUTHENTICATED
  | 'forbidden' // 403 / PERMISSION_DENIED
  | 'not_found' // 404 / NOT_FOUND
  | 'conflict' // 409 / ALREADY_EXISTS
  | 'too_large' // 413 / RESOURCE_EXHAUSTED
  | 'unsupported_media_type' // 415 / INVALID_ARGUMENT
  | 'rate_limited' // 429 / RESOURCE_EXHAUSTED
  | 'unavailable'; // 503 / UNAVAILABLE

/** A field-level complaint, e.g. `{ field: 'email', message: 'Invalid email address' }`. */
export interface FieldIssue {
  field: string;
  message: string;
}

export interface AppErrorOptions {
  /** Short human summary; stable for a given code. Defaults to a title derived from the kind. */
  title?: string;
  /** Offending input fields, when the error is about input. */
  fields?: FieldIssue[];
  /** Seconds the client should wait before retrying (rate_limited, unavailable). */
  retryAfterSeconds?: number;
}

/**
 * `code` is a stable, kebab-case identifier of the specific problem (`email-taken`,
 * `invalid-credentials`); it becomes the last segment of the problem `type` URI.
 */
export class AppError extends Error {
  readonly title: string;
  readonly fields: FieldIssue[];
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    detail: string,
    options: AppErrorOptions = {},
  ) {
    super(detail);
    this.name = 'AppError';
    this.title = options.title ?? defaultTitles[kind];
    this.fields = options.fields ?? [];
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  get detail(): string {
    return this.message;
  }
}

const defaultTitles: Record<ErrorKind, string> = {
  invalid: 'The request is invalid',
  unauthenticated: 'Authentication is required',
  forbidden: 'Not allowed',
  not_found: 'Not found',
  conflict: 'Conflict with the current state',
  too_large: 'Request body too large',
  unsupported_media_type: 'Unsupported media type',
  rate_limited: 'Too many requests',
  unavailable: 'Service unavailable',
};

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
