// One opossum circuit breaker per downstream service. Only infrastructure failures (unavailable,
// deadline, internal) count against the downstream; "not found" or "invalid" are answers, not faults.
import { ClientError } from 'nice-grpc-common';
import CircuitBreaker from 'opossum';
import type { ServiceMetrics } from '../metrics.js';
import { failureStatuses } from './status.js';

export interface BreakerOptions {
  /** Failure percentage over the rolling window that opens the breaker. */
  errorThresholdPercentage?: number;
  /** How long the breaker stays open before letting one trial call through. */
  resetTimeoutMs?: number;
  /** Calls needed in the window before the percentage is trusted. */
  volumeThreshold?: number;
  rollingCountTimeoutMs?: number;
}

export type Breaker = CircuitBreaker<[() => Promise<unknown>], unknown>;

export function createBreaker(
  downstream: string,
  metrics: ServiceMetrics,
  options: BreakerOptions = {},
): Breaker {
  const breaker = new CircuitBreaker((call: () => Promise<unknown>) => call(), {
    name: downstream,
    timeout: false, // deadlines are enforced by the gRPC deadline middleware
    errorThresholdPercentage: options.errorThresholdPercentage ?? 50,
    resetTimeout: options.resetTimeoutMs ?? 10_000,
    volumeThreshold: options.volumeThreshold ?? 10,
    rollingCountTimeout: options.rollingCountTimeoutMs ?? 10_000,
    // true = "not the downstream's fault": the error is passed on without counting as a failure.
    errorFilter: (error: unknown) => error instanceof ClientError && !failureStatuses.has(error.code),
  });
  const gauge = metrics.breakerState;
  gauge.set({ downstream }, 0);
  breaker.on('close', () => gauge.set({ downstream }, 0));
  breaker.on('halfOpen', () => gauge.set({ downstream }, 1));
  breaker.on('open', () => gauge.set({ downstream }, 2));
  return breaker;
}
