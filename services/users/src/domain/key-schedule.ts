// When a signing key is published, signs, and leaves the JWKS. Pure: times in, decisions out.
//
// Verifiers (the edge above all) cache the JWKS, so a key must be published for longer than their
// cache before anything is signed with it, or its tokens are refused until the cache refreshes. A key
// that stopped signing stays published until the last token it signed has expired.

export interface ScheduledKey {
  kid: string;
  /** Published (in the JWKS) from creation. */
  createdAt: Date;
  /** Signs from this time on, until a newer key's activation supersedes it. */
  activatesAt: Date;
}

export interface KeySchedulePolicy {
  /** How long verifiers may cache the JWKS (the edge's `cache_duration`). */
  jwksCacheSeconds: number;
  accessTokenTtlSeconds: number;
  /** A signing key older than this is replaced. */
  rotationIntervalSeconds: number;
  /** Clock skew between replicas and verifiers, and the time a replica takes to reload the key ring. */
  marginSeconds: number;
}

/** How long a new key is published before it signs: longer than any verifier's JWKS cache. */
export function publicationLeadSeconds(policy: KeySchedulePolicy): number {
  return policy.jwksCacheSeconds + policy.marginSeconds;
}

/** How long a superseded key stays published: the life of the last token it signed, plus skew. */
export function retirementGraceSeconds(policy: KeySchedulePolicy): number {
  return policy.accessTokenTtlSeconds + policy.marginSeconds;
}

const byActivation = (a: ScheduledKey, b: ScheduledKey) => b.activatesAt.getTime() - a.activatesAt.getTime();

/** The key that signs at `now`: the most recently activated one. */
export function signingKeyAt<K extends ScheduledKey>(keys: readonly K[], now: Date): K | undefined {
  return keys.filter((key) => key.activatesAt <= now).sort(byActivation)[0];
}

/** When `key` stopped signing (the next key's activation), or undefined while it still signs or waits. */
export function supersededAt(keys: readonly ScheduledKey[], key: ScheduledKey, now: Date): Date | undefined {
  const later = keys
    .filter((other) => other.activatesAt > key.activatesAt && other.activatesAt <= now)
    .sort((a, b) => a.activatesAt.getTime() - b.activatesAt.getTime());
  return later[0]?.activatesAt;
}

/** The keys the JWKS lists at `now`: waiting, signing, and superseded ones whose tokens may still live. */
export function publishedKeysAt<K extends ScheduledKey>(
  keys: readonly K[],
  now: Date,
  policy: KeySchedulePolicy,
): K[] {
  const graceMs = retirementGraceSeconds(policy) * 1000;
  return keys
    .filter((key) => {
      const until = supersededAt(keys, key, now);
      return until === undefined || now.getTime() < until.getTime() + graceMs;
    })
    .sort(byActivation);
}

export type KeyPlan = { action: 'none' } | { action: 'create'; activatesAt: Date };

/**
 * What the ring needs at `now`. No key at all: one that signs at once (nothing can have cached an
 * older JWKS). A signing key due for rotation and no successor waiting: a successor that signs only
 * after the publication lead.
 */
export function planKeys(keys: readonly ScheduledKey[], now: Date, policy: KeySchedulePolicy): KeyPlan {
  const signing = signingKeyAt(keys, now);
  const waiting = keys.some((key) => key.activatesAt > now);
  if (!signing && !waiting) return { action: 'create', activatesAt: now };
  if (!signing || waiting) return { action: 'none' };
  const ageSeconds = (now.getTime() - signing.activatesAt.getTime()) / 1000;
  if (ageSeconds < policy.rotationIntervalSeconds) return { action: 'none' };
  return { action: 'create', activatesAt: successorActivation(now, policy) };
}

/** A rotation asked for now: the successor is published at once and signs after the lead. */
export function successorActivation(now: Date, policy: KeySchedulePolicy): Date {
  return new Date(now.getTime() + publicationLeadSeconds(policy) * 1000);
}
