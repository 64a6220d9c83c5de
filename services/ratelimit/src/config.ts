import { baseConfigSchema } from '@shopstack/kit';
import { z } from 'zod';
import { LimitRules } from './domain/limits.js';

/** RATE_LIMIT_RULES is JSON: [{"routeClass":"auth","key":"remote_address","requestsPerSecond":2,"burst":10}, ...]. */
const rulesFromJson = z.string().transform((text, ctx) => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be JSON' });
    return z.NEVER;
  }
  const rules = LimitRules.safeParse(parsed);
  if (!rules.success) {
    ctx.addIssue({ code: 'custom', message: rules.error.issues.map((i) => i.message).join('; ') });
    return z.NEVER;
  }
  return rules.data;
});

export const rateLimitConfigSchema = baseConfigSchema.extend({
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8092),
  GRPC_PORT: z.coerce.number().int().min(0).max(65535).default(8091),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL'),
  /** Every bucket's Redis key starts with it; replicas of one edge share it. */
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/)
    .default('ratelimit'),
  /** The rate limit filter's `domain`; requests for other domains are never limited. */
  RATE_LIMIT_DOMAIN: z.string().min(1).max(64).default('shopstack'),
  RATE_LIMIT_RULES: rulesFromJson,
});

export type RateLimitConfig = z.infer<typeof rateLimitConfigSchema>;
