/** A non-2xx answer from the API server, with its Status reason (NotFound, Conflict, Expired, ...). */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(`${status} ${reason}: ${message}`);
    this.name = 'KubeApiError';
  }

  /** 4xx other than conflicts and throttling: retrying the same request cannot succeed. */
  get permanent(): boolean {
    return this.status >= 400 && this.status < 500 && ![408, 409, 429].includes(this.status);
  }
}

/** The error for an answer's status code and body (a Status object, or anything else). */
export function fromStatus(status: number, text: string): KubeApiError {
  try {
    const body = JSON.parse(text) as { reason?: string; message?: string };
    return new KubeApiError(status, body.reason ?? 'Unknown', body.message ?? text);
  } catch {
    return new KubeApiError(status, 'Unknown', text.slice(0, 500));
  }
}

export const isNotFound = (error: unknown) => error instanceof KubeApiError && error.status === 404;
export const isConflict = (error: unknown) => error instanceof KubeApiError && error.status === 409;
export const isGone = (error: unknown) => error instanceof KubeApiError && error.status === 410;
