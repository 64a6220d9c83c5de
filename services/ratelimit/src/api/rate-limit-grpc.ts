// envoy.service.ratelimit.v3.RateLimitService/ShouldRateLimit: Envoy's request in, the decision out.

import type { GrpcCallers } from '@shopstack/kit';
import {
  type RateLimitRequest,
  type RateLimitResponse,
  RateLimitResponse_Code,
  RateLimitResponse_RateLimit_Unit,
  type RateLimitServiceDefinition,
  type RateLimitServiceImplementation,
} from '@shopstack/proto/envoy/service/ratelimit/v3/rls';
import type { Counter } from 'prom-client';
import { type Buckets, shouldRateLimit } from '../app/should-rate-limit.js';
import type { LimitRule } from '../domain/limits.js';

/** Only the edge (Envoy, with its own certificate) asks for decisions. */
export const rateLimitGrpcCallers = {
  shouldRateLimit: ['edge'],
} as const satisfies GrpcCallers<typeof RateLimitServiceDefinition>;

export function rateLimitGrpcService(deps: {
  keyPrefix: string;
  domain: string;
  rules: readonly LimitRule[];
  buckets: Buckets;
  decisions: Counter<'route_class' | 'key' | 'code'>;
}): RateLimitServiceImplementation {
  return {
    async shouldRateLimit(request: RateLimitRequest): Promise<RateLimitResponse> {
      const decision = await shouldRateLimit(deps, {
        domain: request.domain,
        descriptors: request.descriptors.map((d) => d.entries),
        hits: request.hitsAddend,
      });
      const statuses = decision.descriptors.map((d) => {
        if (d.rule) {
          deps.decisions.inc({
            route_class: d.rule.routeClass,
            key: d.rule.key,
            code: d.limited ? 'over_limit' : 'ok',
          });
        }
        return {
          code: d.limited ? RateLimitResponse_Code.OVER_LIMIT : RateLimitResponse_Code.OK,
          currentLimit: d.rule
            ? {
                name: `${d.rule.routeClass}/${d.rule.key}`,
                requestsPerUnit: d.rule.requestsPerSecond,
                unit: RateLimitResponse_RateLimit_Unit.SECOND,
              }
            : undefined,
          limitRemaining: d.remaining,
          durationUntilReset: {
            seconds: String(Math.floor(d.resetMs / 1000)),
            nanos: (d.resetMs % 1000) * 1_000_000,
          },
        };
      });
      return {
        overallCode: decision.overLimit ? RateLimitResponse_Code.OVER_LIMIT : RateLimitResponse_Code.OK,
        statuses,
        responseHeadersToAdd: [],
        requestHeadersToAdd: [],
        rawBody: new Uint8Array(),
      };
    },
  };
}
