// The signing-key schedule: pure, no servers.
import assert from 'node:assert/strict';
import {
  type KeySchedulePolicy,
  planKeys,
  publicationLeadSeconds,
  publishedKeysAt,
  type ScheduledKey,
  signingKeyAt,
  successorActivation,
} from '../../src/domain/key-schedule.js';

const policy: KeySchedulePolicy = {
  jwksCacheSeconds: 300,
  accessTokenTtlSeconds: 900,
  rotationIntervalSeconds: 30 * 24 * 3600,
  marginSeconds: 60,
};
const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const key = (kid: string, created: number, activates = created): ScheduledKey => ({
  kid,
  createdAt: at(created),
  activatesAt: at(activates),
});
const kids = (keys: ScheduledKey[]) => keys.map((k) => k.kid);

describe('signing-key schedule', () => {
  it('creates a key that signs at once when there is none', () => {
    assert.deepEqual(planKeys([], at(0), policy), { action: 'create', activatesAt: at(0) });
  });

  it('publishes a successor longer than the edge caches the JWKS before it signs', () => {
    assert.equal(publicationLeadSeconds(policy), 360);
    assert.ok(publicationLeadSeconds(policy) > policy.jwksCacheSeconds);
    const old = key('old', 0);
    const rotation = policy.rotationIntervalSeconds;
    assert.deepEqual(planKeys([old], at(rotation - 1), policy), { action: 'none' });
    const plan = planKeys([old], at(rotation), policy);
    assert.deepEqual(plan, { action: 'create', activatesAt: at(rotation + 360) });
    assert.deepEqual(successorActivation(at(rotation), policy), at(rotation + 360));

    const next = key('next', rotation, rotation + 360);
    const ring = [old, next];
    assert.deepEqual(planKeys(ring, at(rotation + 1), policy), { action: 'none' }, 'one successor at a time');
    // Waiting: published, not signing.
    assert.equal(signingKeyAt(ring, at(rotation + 359))?.kid, 'old');
    assert.deepEqual(kids(publishedKeysAt(ring, at(rotation + 1), policy)).sort(), ['next', 'old']);
    // Activated: signs from its activation on.
    assert.equal(signingKeyAt(ring, at(rotation + 360))?.kid, 'next');
  });

  it('keeps a superseded key published until the last token it signed has expired', () => {
    const ring = [key('old', 0), key('next', 1000, 1360)];
    const grace = policy.accessTokenTtlSeconds + policy.marginSeconds;
    // The last token the old key signed was issued just before 1360 and lives accessTokenTtlSeconds.
    assert.deepEqual(kids(publishedKeysAt(ring, at(1360 + policy.accessTokenTtlSeconds), policy)).sort(), [
      'next',
      'old',
    ]);
    assert.deepEqual(kids(publishedKeysAt(ring, at(1360 + grace - 1), policy)).sort(), ['next', 'old']);
    assert.deepEqual(kids(publishedKeysAt(ring, at(1360 + grace), policy)), ['next']);
  });

  it('never leaves a gap: at every second some published key signs', () => {
    const ring = [key('a', 0), key('b', 500, 860), key('c', 900, 1260)];
    for (let second = 0; second < 4000; second += 7) {
      const now = at(second);
      const signing = signingKeyAt(ring, now);
      assert.ok(signing, `a key signs at ${second}`);
      assert.ok(kids(publishedKeysAt(ring, now, policy)).includes(signing.kid), `published at ${second}`);
    }
    assert.deepEqual(kids(publishedKeysAt(ring, at(1000), policy)), ['c', 'b', 'a']);
  });
});
