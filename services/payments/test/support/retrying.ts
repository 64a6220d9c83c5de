// Clients that behave like a well-written caller during an outage: retry the same request, with the
// same idempotency key, until the service answers (or a deadline passes).
import { setTimeout as pause } from 'node:timers/promises';
import { ClientError, Status } from 'nice-grpc';

const RETRYABLE_GRPC = new Set([
  Status.UNAVAILABLE,
  Status.UNKNOWN,
  Status.INTERNAL,
  Status.DEADLINE_EXCEEDED,
  Status.CANCELLED,
]);

/** How many attempts failed and were retried, so a test can show that an outage really hit it. */
export const retries = { count: 0 };

export async function untilAnswered<T>(attempt: () => Promise<T | 'retry'>, deadlineMs = 90_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (let tries = 0; ; tries++) {
    let outcome: T | 'retry';
    try {
      outcome = await attempt();
    } catch (error) {
      const retryable =
        (error instanceof ClientError && RETRYABLE_GRPC.has(error.code)) ||
        (error as Error).name === 'AbortError' ||
        (error as Error).name === 'TimeoutError' ||
        error instanceof TypeError; // fetch: connection refused / reset
      if (!retryable) throw error;
      outcome = 'retry';
    }
    if (outcome !== 'retry') return outcome;
    retries.count++;
    if (Date.now() > deadline) throw new Error('the service did not answer before the deadline');
    await pause(Math.min(50 * (tries + 1), 300));
  }
}

/** POST with an idempotency key; 5xx and connection failures are retried with the same key. */
export async function postRetrying(
  url: string,
  token: string,
  key: string,
  body: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies are checked by the caller
): Promise<{ status: number; body: any }> {
  return untilAnswered(async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'idempotency-key': key,
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    if (response.status >= 500) return 'retry';
    return { status: response.status, body: await response.json() };
  });
}
