// One decision for one request: every descriptor a rule names takes its hits from its bucket; the
// request is over limit when any of them is.
import { type DescriptorEntry, type LimitRule, matchLimit } from '../domain/limits.js';

export interface Buckets {
  take(
    bucket: string,
    rule: LimitRule,
    hits: number,
  ): Promise<{ allowed: boolean; remaining: number; resetMs: number }>;
}

export interface DescriptorDecision {
  limited: boolean;
  /** Absent when no rule applies to the descriptor. */
  rule?: LimitRule;
  remaining: number;
  resetMs: number;
}

export interface Decision {
  overLimit: boolean;
  descriptors: DescriptorDecision[];
}

export async function shouldRateLimit(
  deps: { keyPrefix: string; domain: string; rules: readonly LimitRule[]; buckets: Buckets },
  request: { domain: string; descriptors: readonly (readonly DescriptorEntry[])[]; hits: number },
): Promise<Decision> {
  // Another domain's traffic is not ours to judge.
  const ours = request.domain === deps.domain;
  const descriptors = await Promise.all(
    request.descriptors.map(async (entries): Promise<DescriptorDecision> => {
      const matched = ours ? matchLimit(deps.keyPrefix, deps.domain, deps.rules, entries) : undefined;
      if (!matched) return { limited: false, remaining: 0, resetMs: 0 };
      const taken = await deps.buckets.take(matched.bucket, matched.rule, Math.max(1, request.hits));
      return {
        limited: !taken.allowed,
        rule: matched.rule,
        remaining: taken.remaining,
        resetMs: taken.resetMs,
      };
    }),
  );
  return { overLimit: descriptors.some((d) => d.limited), descriptors };
}
