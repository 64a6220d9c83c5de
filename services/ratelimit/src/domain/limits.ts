// Which limit applies to a descriptor. The edge sends descriptors of two entries: the route class the
// request belongs to and what to count it against, e.g. [route_class=auth, remote_address=203.0.113.7]
// or [route_class=api, user=<JWT subject>]. A descriptor no rule names is not limited (as in Envoy's
// reference service), so a new edge action never refuses traffic by accident.
import { z } from 'zod';

/** What a request is counted against: the client address (after trusted hops) or the signed-in user. */
export const LIMIT_KEYS = ['remote_address', 'user'] as const;
export type LimitKey = (typeof LIMIT_KEYS)[number];
export const ROUTE_CLASS_KEY = 'route_class';

export const LimitRule = z
  .object({
    routeClass: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/),
    key: z.enum(LIMIT_KEYS),
    requestsPerSecond: z.number().int().min(1).max(1_000_000),
    burst: z.number().int().min(1).max(10_000_000),
  })
  .refine((rule) => rule.burst >= rule.requestsPerSecond, {
    message: 'burst must be at least requestsPerSecond',
  });
export type LimitRule = z.infer<typeof LimitRule>;

export const LimitRules = z
  .array(LimitRule)
  .refine((rules) => new Set(rules.map((r) => `${r.routeClass}/${r.key}`)).size === rules.length, {
    message: 'each (routeClass, key) pair may appear once',
  });

export interface DescriptorEntry {
  key: string;
  value: string;
}

export interface MatchedLimit {
  rule: LimitRule;
  /** The Redis key of this client's bucket: one per (domain, route class, key, value). */
  bucket: string;
}

export function matchLimit(
  keyPrefix: string,
  domain: string,
  rules: readonly LimitRule[],
  entries: readonly DescriptorEntry[],
): MatchedLimit | undefined {
  if (entries.length !== 2) return undefined;
  const [routeClass, counted] = entries as [DescriptorEntry, DescriptorEntry];
  if (routeClass.key !== ROUTE_CLASS_KEY || counted.value === '') return undefined;
  const rule = rules.find((r) => r.routeClass === routeClass.value && r.key === counted.key);
  if (!rule) return undefined;
  // Values come from clients (an address, a token subject): encoded so none can reach into another's key.
  const bucket = [keyPrefix, domain, rule.routeClass, rule.key, encodeURIComponent(counted.value)].join(':');
  return { rule, bucket };
}

/** Milliseconds between two requests at the sustained rate (GCRA's emission interval). */
export function emissionIntervalMs(rule: LimitRule): number {
  return 1000 / rule.requestsPerSecond;
}
