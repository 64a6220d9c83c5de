// The rate limit service's own parts: Redis buckets and the gRPC API Envoy calls. The kit boots it
// (see @shopstack/kit's boot.ts); main.ts runs it as a process, tests start it on port 0.
import { bootService, defineService, type Logger } from '@shopstack/kit';
import { RateLimitServiceDefinition } from '@shopstack/proto/envoy/service/ratelimit/v3/rls';
import { Counter } from 'prom-client';
import { RedisBuckets } from './adapters/redis-buckets.js';
import { rateLimitGrpcCallers, rateLimitGrpcService } from './api/rate-limit-grpc.js';
import { type RateLimitConfig, rateLimitConfigSchema } from './config.js';

export const rateLimitService = defineService({
  name: 'ratelimit',
  description: "The edge's global rate limits (Envoy ratelimit.v3 over gRPC); operational endpoints only",
  configSchema: rateLimitConfigSchema,
  async setup({ config, metrics, onClose }) {
    const decisions = new Counter({
      name: 'ratelimit_decisions_total',
      help: 'Descriptors judged, by route class, what they count against and the outcome',
      labelNames: ['route_class', 'key', 'code'] as const,
      registers: [metrics.registry],
    });
    const buckets = new RedisBuckets(config.REDIS_URL);
    await buckets.connect();
    onClose(() => buckets.close());
    return {
      routes: [],
      grpc: [
        {
          definition: RateLimitServiceDefinition,
          implementation: rateLimitGrpcService({
            keyPrefix: config.REDIS_KEY_PREFIX,
            domain: config.RATE_LIMIT_DOMAIN,
            rules: config.RATE_LIMIT_RULES,
            buckets,
            decisions,
          }),
          callers: rateLimitGrpcCallers,
        },
      ],
      readiness: [{ name: 'redis', check: () => buckets.ping() }],
      exposed: {},
    };
  },
});

export function startRateLimitService(config: RateLimitConfig, logger?: Logger) {
  return bootService(rateLimitService, config, { logger });
}
