// Pure rules, no servers.
import assert from 'node:assert/strict';
import { anonymizedEmail, normalizeEmail } from '../../src/domain/email.js';
import {
  FIRST_LOCK_SECONDS,
  FREE_ATTEMPTS,
  FREE_ATTEMPTS_PER_IP,
  lockSecondsAfter,
  MAX_LOCK_SECONDS,
} from '../../src/domain/lockout.js';
import { passwordWeakness } from '../../src/domain/password-policy.js';
import { canReadProfile } from '../../src/domain/roles.js';
import { hashSecret, newOpaqueToken, newRecoveryCode, sameSecret } from '../../src/domain/secrets.js';
import { base32Decode, base32Encode, matchTotp, totpCode, totpStep } from '../../src/domain/totp.js';

describe('users domain', () => {
  describe('TOTP (RFC 6238)', () => {
    // RFC 6238 appendix B, SHA-1 secret "12345678901234567890", 8 digits.
    const secret = Buffer.from('12345678901234567890');
    const vectors: [number, string][] = [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1111111111, '14050471'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
    ];
    for (const [time, code] of vectors) {
      it(`matches the RFC vector at T=${time}`, () => {
        assert.equal(totpCode(secret, totpStep(time * 1000), 8), code);
      });
    }

    it('round-trips base32', () => {
      const bytes = Buffer.from('any bytes at all, 20!');
      assert.deepEqual(base32Decode(base32Encode(bytes)), bytes);
      assert.equal(base32Encode(Buffer.from('foobar')), 'MZXW6YTBOI');
    });

    it('accepts a code within one step of drift, once', () => {
      const secretText = base32Encode(secret);
      const now = 1_700_000_000_000;
      const previous = totpCode(secret, totpStep(now) - 1);
      const step = matchTotp(secretText, previous, now, 0);
      assert.equal(step, totpStep(now) - 1);
      assert.equal(matchTotp(secretText, previous, now, step!), undefined, 'a used step is refused');
      const old = totpCode(secret, totpStep(now) - 3);
      assert.equal(matchTotp(secretText, old, now, 0), undefined);
      assert.equal(matchTotp(secretText, 'abcdef', now, 0), undefined);
    });
  });

  describe('lockout backoff', () => {
    it('is free for the first attempts, then doubles up to a ceiling', () => {
      for (let failures = 0; failures < FREE_ATTEMPTS; failures++)
        assert.equal(lockSecondsAfter(failures), 0);
      assert.equal(lockSecondsAfter(FREE_ATTEMPTS), FIRST_LOCK_SECONDS);
      assert.equal(lockSecondsAfter(FREE_ATTEMPTS + 1), FIRST_LOCK_SECONDS * 2);
      assert.equal(lockSecondsAfter(FREE_ATTEMPTS + 2), FIRST_LOCK_SECONDS * 4);
      assert.equal(lockSecondsAfter(FREE_ATTEMPTS + 50), MAX_LOCK_SECONDS);
      // Per client address across accounts: more free failures, the same backoff after them.
      assert.equal(lockSecondsAfter(FREE_ATTEMPTS_PER_IP - 1, FREE_ATTEMPTS_PER_IP), 0);
      assert.equal(lockSecondsAfter(FREE_ATTEMPTS_PER_IP, FREE_ATTEMPTS_PER_IP), FIRST_LOCK_SECONDS);
    });
  });

  describe('password policy', () => {
    it('wants length, some variety, and not the email', () => {
      assert.match(passwordWeakness('short') ?? '', /at least 10/);
      assert.match(passwordWeakness('a'.repeat(129)) ?? '', /at most 128/);
      assert.match(passwordWeakness('aaaaaaaaaaaa') ?? '', /repeat/);
      assert.match(passwordWeakness('annabelle-2024!', 'annabelle@example.com') ?? '', /email/);
      assert.equal(passwordWeakness('correct horse battery', 'ann@example.com'), undefined);
    });
  });

  it('normalizes and anonymizes emails', () => {
    assert.equal(normalizeEmail('  Ann@Example.COM '), 'ann@example.com');
    assert.equal(anonymizedEmail('42'), 'deleted-42@users.invalid');
  });

  it('lets users read only their own profile unless support or admin', () => {
    assert.ok(canReadProfile({ id: 'a', role: 'customer' }, 'a'));
    assert.ok(!canReadProfile({ id: 'a', role: 'customer' }, 'b'));
    assert.ok(canReadProfile({ id: 'a', role: 'support' }, 'b'));
    assert.ok(canReadProfile({ id: 'a', role: 'admin' }, 'b'));
  });

  it('makes unguessable secrets and compares hashes in constant time', () => {
    const a = newOpaqueToken();
    assert.equal(Buffer.from(a, 'base64url').length, 32);
    assert.notEqual(a, newOpaqueToken());
    assert.ok(sameSecret(hashSecret(a), hashSecret(a)));
    assert.ok(!sameSecret(hashSecret(a), hashSecret(`${a}x`)));
    assert.match(newRecoveryCode(), /^[a-z2-9]{5}-[a-z2-9]{5}$/);
  });
});
