import assert from 'node:assert/strict';
import { LimitRules, matchLimit } from '../../src/domain/limits.js';

const rules = LimitRules.parse([
  { routeClass: 'auth', key: 'remote_address', requestsPerSecond: 2, burst: 10 },
  { routeClass: 'api', key: 'user', requestsPerSecond: 20, burst: 60 },
]);
const entries = (cls: string, key: string, value: string) => [
  { key: 'route_class', value: cls },
  { key, value },
];

describe('rate limit rules', () => {
  it('picks the rule of the route class and what is counted, with a bucket per client', () => {
    const matched = matchLimit('rl', 'shopstack', rules, entries('auth', 'remote_address', '203.0.113.7'));
    assert.equal(matched?.rule.burst, 10);
    assert.equal(matched?.bucket, 'rl:shopstack:auth:remote_address:203.0.113.7');
  });

  it('keeps a client-chosen value inside its own key', () => {
    const matched = matchLimit('rl', 'shopstack', rules, entries('api', 'user', 'a:b:auth:remote_address:x'));
    assert.equal(matched?.bucket, 'rl:shopstack:api:user:a%3Ab%3Aauth%3Aremote_address%3Ax');
  });

  it('limits nothing that no rule names', () => {
    assert.equal(
      matchLimit('rl', 'shopstack', rules, entries('api', 'remote_address', '1.2.3.4')),
      undefined,
    );
    assert.equal(
      matchLimit('rl', 'shopstack', rules, [{ key: 'remote_address', value: '1.2.3.4' }]),
      undefined,
    );
    assert.equal(matchLimit('rl', 'shopstack', rules, entries('auth', 'remote_address', '')), undefined);
  });

  it('refuses a burst below the rate and a pair named twice', () => {
    assert.equal(
      LimitRules.safeParse([{ routeClass: 'api', key: 'user', requestsPerSecond: 5, burst: 4 }]).success,
      false,
    );
    const rule = { routeClass: 'api', key: 'user', requestsPerSecond: 5, burst: 5 };
    assert.equal(LimitRules.safeParse([rule, rule]).success, false);
  });
});
