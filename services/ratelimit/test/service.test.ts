// The rate limit service over gRPC, as Envoy calls it, on the real Redis.
import assert from 'node:assert/strict';
import { createLogger, type RunningService } from '@shopstack/kit';
import { testGrpcChannel, testGrpcEnv } from '@shopstack/kit/testing';
import {
  type RateLimitRequest,
  RateLimitResponse_Code,
  RateLimitServiceDefinition,
} from '@shopstack/proto/envoy/service/ratelimit/v3/rls';
import { createClient } from 'nice-grpc';
import { rateLimitConfigSchema, startRateLimitService } from '../src/index.js';

const rules = [{ routeClass: 'auth', key: 'remote_address', requestsPerSecond: 1, burst: 3 }];

async function start(keyPrefix: string): Promise<RunningService> {
  return startRateLimitService(
    rateLimitConfigSchema.parse({
      HOST: '127.0.0.1',
      HTTP_PORT: '0',
      GRPC_PORT: '0',
      REDIS_URL: process.env.REDIS_URL,
      REDIS_KEY_PREFIX: keyPrefix,
      ...testGrpcEnv('ratelimit'),
      RATE_LIMIT_RULES: JSON.stringify(rules),
      LOG_LEVEL: 'silent',
    }),
    createLogger({ service: 'ratelimit', level: 'silent' }),
  );
}

const request = (address: string, domain = 'shopstack'): RateLimitRequest => ({
  domain,
  descriptors: [
    {
      entries: [
        { key: 'route_class', value: 'auth' },
        { key: 'remote_address', value: address },
      ],
      limit: undefined,
    },
    { entries: [{ key: 'generic_key', value: 'unknown' }], limit: undefined },
  ],
  hitsAddend: 0,
});

describe('rate limit service (envoy.service.ratelimit.v3 on Redis)', () => {
  const keyPrefix = `rl-test-${Date.now().toString(36)}`;
  let replicas: RunningService[];
  let clients: ReturnType<typeof createClient<typeof RateLimitServiceDefinition>>[];

  before(async () => {
    assert.ok(process.env.REDIS_URL, 'REDIS_URL is not set: run `npm run infra -- up redis`');
    replicas = [await start(keyPrefix), await start(keyPrefix)];
    // As Envoy calls it: with the edge's certificate.
    clients = [];
    for (const replica of replicas)
      clients.push(
        createClient(RateLimitServiceDefinition, await testGrpcChannel(replica.grpcAddress!, 'edge')),
      );
  });

  after(async () => {
    for (const replica of replicas ?? []) await replica.close();
  });

  it('shares one bucket per client between replicas and refuses past the burst', async () => {
    const codes: RateLimitResponse_Code[] = [];
    for (let i = 0; i < 6; i++)
      codes.push((await clients[i % 2]!.shouldRateLimit(request('203.0.113.7'))).overallCode);
    const ok = codes.filter((code) => code === RateLimitResponse_Code.OK).length;
    // One token a second refills while the calls run, so a fourth may pass.
    assert.ok(ok === 3 || ok === 4, `codes ${codes.join(',')}`);
    assert.deepEqual(codes.slice(0, 3), [
      RateLimitResponse_Code.OK,
      RateLimitResponse_Code.OK,
      RateLimitResponse_Code.OK,
    ]);
    assert.equal(codes.at(-1), RateLimitResponse_Code.OVER_LIMIT);
  });

  it('answers each descriptor: the limited one with its limit, the unknown one as OK', async () => {
    const response = await clients[0]!.shouldRateLimit(request('203.0.113.8'));
    assert.equal(response.overallCode, RateLimitResponse_Code.OK);
    assert.equal(response.statuses.length, 2);
    assert.equal(response.statuses[0]!.currentLimit?.requestsPerUnit, 1);
    assert.equal(response.statuses[0]!.limitRemaining, 2);
    assert.equal(response.statuses[1]!.code, RateLimitResponse_Code.OK);
    assert.equal(response.statuses[1]!.currentLimit, undefined);
  });

  it("never limits another domain's descriptors", async () => {
    for (let i = 0; i < 5; i++) {
      const response = await clients[1]!.shouldRateLimit(request('203.0.113.9', 'someone-else'));
      assert.equal(response.overallCode, RateLimitResponse_Code.OK);
    }
  });

  it('is ready with Redis reachable and counts its decisions in /metrics', async () => {
    assert.equal((await fetch(`${replicas[0]!.httpUrl}/readyz`)).status, 200);
    const metrics = await (await fetch(`${replicas[0]!.httpUrl}/metrics`)).text();
    assert.match(metrics, /ratelimit_decisions_total\{[^}]*code="over_limit"[^}]*\} [1-9]/);
  });
});
