// AppError kinds ↔ gRPC status codes.
import { Status } from 'nice-grpc-common';
import type { ErrorKind } from '../errors.js';

export const grpcStatusOf: Record<ErrorKind, Status> = {
  invalid: Status.INVALID_ARGUMENT,
  unauthenticated: Status.UNAUTHENTICATED,
  forbidden: Status.PERMISSION_DENIED,
  not_found: Status.NOT_FOUND,
  conflict: Status.ALREADY_EXISTS,
  too_large: Status.RESOURCE_EXHAUSTED,
  unsupported_media_type: Status.INVALID_ARGUMENT,
  rate_limited: Status.RESOURCE_EXHAUSTED,
  unavailable: Status.UNAVAILABLE,
};

/** Statuses that say "the server or the network failed", as opposed to "your request was wrong". */
export const failureStatuses: ReadonlySet<Status> = new Set([
  Status.UNKNOWN,
  Status.INTERNAL,
  Status.UNAVAILABLE,
  Status.DEADLINE_EXCEEDED,
  Status.RESOURCE_EXHAUSTED,
  Status.DATA_LOSS,
]);
