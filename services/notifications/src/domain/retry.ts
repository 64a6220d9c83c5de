// When to try a failed delivery again: exponential backoff with full jitter (AWS architecture blog,
// "Exponential Backoff And Jitter"), capped, so many deliveries failing together do not retry in step.

export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
  maxAttempts: number;
}

/** Delay before attempt `attempts + 1`, after `attempts` failed ones (>= 1). `random` is in [0, 1). */
export function retryDelayMs(policy: RetryPolicy, attempts: number, random: number = Math.random()): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
  // Half fixed, half jitter: the gap still grows with every failure, never collapsing to zero.
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}

export function isExhausted(policy: RetryPolicy, attempts: number): boolean {
  return attempts >= policy.maxAttempts;
}
