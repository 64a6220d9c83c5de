// A real rate limit service on the shared Redis, for tests that put an Envoy in front of services.
// Its buckets live under a key prefix of its own, so suites running at once never share a budget.
import { createLogger } from '@shopstack/kit';
import { testIdentityDir } from '@shopstack/kit/testing';
import { type EnvoyConfigInput, RATE_LIMIT_DOMAIN, rateLimitRules } from '@shopstack/operator/envoy';
import { rateLimitConfigSchema, startRateLimitService } from '@shopstack/ratelimit';
import { infraEnv, uniqueName } from './env.js';

export interface TestRateLimit {
  /** The gRPC address for EnvoyConfigInput.rateLimitService. */
  upstream: EnvoyConfigInput['rateLimitService'];
  httpUrl: string;
  keyPrefix: string;
  close(): Promise<void>;
}

/** Enforces exactly the rules the renderer derives from these limits. */
export async function startTestRateLimit(
  limits: Pick<EnvoyConfigInput, 'rateLimit' | 'authRateLimit' | 'userRateLimit'>,
): Promise<TestRateLimit> {
  const keyPrefix = uniqueName('rl');
  const service = await startRateLimitService(
    rateLimitConfigSchema.parse({
      HOST: '127.0.0.1',
      HTTP_PORT: '0',
      GRPC_PORT: '0',
      REDIS_URL: infraEnv('REDIS_URL'),
      REDIS_KEY_PREFIX: keyPrefix,
      GRPC_TLS_DIR: await testIdentityDir('ratelimit'),
      RATE_LIMIT_DOMAIN,
      RATE_LIMIT_RULES: JSON.stringify(rateLimitRules(limits)),
      LOG_LEVEL: 'silent',
    }),
    createLogger({ service: 'ratelimit', level: 'silent' }),
  );
  const [host, port] = (service.grpcAddress ?? '').split(':');
  return {
    // Envoy calls it as the edge, over mutual TLS, as in a cluster.
    upstream: {
      host: host!,
      port: Number(port),
      mtls: { dir: await testIdentityDir('edge'), serverIdentity: 'ratelimit' },
    },
    httpUrl: service.httpUrl,
    keyPrefix,
    close: () => service.close(),
  };
}
