// application/problem+json (RFC 9457). The `type` URI is stable per error code, so clients can
// branch on it; `detail` is for humans; `errors` names the offending fields.
import type { AppError, ErrorKind, FieldIssue } from '../errors.js';

export const PROBLEM_TYPE_BASE = 'https://shopstack.dev/problems/';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export const httpStatusOf: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
};

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldIssue[];
}

export function problemFromError(error: AppError, instance?: string): ProblemDocument {
  const problem: ProblemDocument = {
    type: PROBLEM_TYPE_BASE + error.code,
    title: error.title,
    status: httpStatusOf[error.kind],
    detail: error.detail,
  };
  if (instance) problem.instance = instance;
  if (error.fields.length > 0) problem.errors = error.fields;
  return problem;
}

/** What a client sees for a failure we did not anticipate: no stack, no internals. */
export function internalProblem(instance?: string): ProblemDocument {
  return {
    type: `${PROBLEM_TYPE_BASE}internal`,
    title: 'Internal error',
    status: 500,
    detail: 'The server could not complete the request; it has been logged.',
    ...(instance ? { instance } : {}),
  };
}
