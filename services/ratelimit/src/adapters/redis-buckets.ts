// Token buckets in Redis, shared by every rate limit replica and so by every edge replica.
//
// The check is GCRA (the generic cell rate algorithm: a token bucket stored as one timestamp, the
// "theoretical arrival time"), run as a Lua script so read-decide-write is atomic, and timed by
// Redis's own clock so replicas with skewed clocks still share one budget. Hand-written because the
// maintained Node limiters (rate-limiter-flexible and kin) count fixed windows, which admit twice the
// limit across a window edge and have no burst separate from the rate, as the ShopDeployment does.
import { Redis } from 'ioredis';
import type { LimitRule } from '../domain/limits.js';
import { emissionIntervalMs } from '../domain/limits.js';

// KEYS[1] bucket; ARGV: emission interval ms, burst, hits. Returns {allowed 0/1, remaining, reset ms}.
const GCRA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local hits = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval * hits
local allow_at = new_tat - interval * burst
if allow_at > now then
  return {0, 0, math.ceil(allow_at - now)}
end
redis.call('SET', KEYS[1], string.format('%.3f', new_tat), 'PX', math.ceil(new_tat - now) + 1)
return {1, math.floor((now - allow_at) / interval), math.ceil(new_tat - now)}
`;

export interface BucketDecision {
  allowed: boolean;
  remaining: number;
  /** Until the bucket is full again (allowed) or the next request would pass (refused). */
  resetMs: number;
}

type GcraRedis = Redis & {
  gcra(bucket: string, intervalMs: string, burst: string, hits: string): Promise<[number, number, number]>;
};

export class RedisBuckets {
  private readonly redis: GcraRedis;

  constructor(url: string) {
    // Fail fast instead of queueing: Envoy waits only a few ms and then lets the request through.
    this.redis = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectionName: 'shopstack-ratelimit',
    }) as GcraRedis;
    this.redis.defineCommand('gcra', { numberOfKeys: 1, lua: GCRA });
  }

  connect(): Promise<void> {
    return this.redis.connect();
  }

  async take(bucket: string, rule: LimitRule, hits: number): Promise<BucketDecision> {
    const [allowed, remaining, resetMs] = await this.redis.gcra(
      bucket,
      String(emissionIntervalMs(rule)),
      String(rule.burst),
      String(hits),
    );
    return { allowed: allowed === 1, remaining, resetMs };
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
