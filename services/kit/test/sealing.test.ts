// The kit's Sealer: a sealed value opens only with its key and for its context, and reveals nothing of
// the plain text; values sealed before contexts existed (users' signing keys) still open.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Sealer } from '../src/sealing.js';

describe('kit: sealing secrets at rest', () => {
  const key = randomBytes(32).toString('hex');
  const sealer = new Sealer(key, 'TEST_KEY');

  it('opens what it sealed, for the same context only, and keeps the plain text out of the sealed form', () => {
    const plain = 'whsec_c2VjcmV0LXNpZ25pbmcta2V5LTAxMjM0NTY3';
    const sealed = sealer.seal(plain, 'row-1');
    assert.equal(JSON.stringify(sealed).includes(plain.slice(6)), false);
    assert.notDeepEqual(sealer.seal(plain, 'row-1'), sealed, 'a fresh IV each time');
    assert.equal(sealer.open(sealed, 'row-1'), plain);
    assert.throws(() => sealer.open(sealed, 'row-2'), /TEST_KEY is not the key it was sealed with/);
    assert.equal(new Sealer(key, 'TEST_KEY').open(sealer.seal('no context')), 'no context');
  });

  it('refuses another key, an altered value and a key of the wrong length', () => {
    const sealed = sealer.seal('x', 'c');
    assert.throws(() => new Sealer(randomBytes(32).toString('hex'), 'TEST_KEY').open(sealed, 'c'));
    const altered = { ...sealed, data: Buffer.from('y').toString('base64url') };
    assert.throws(() => sealer.open(altered, 'c'));
    assert.throws(() => new Sealer('ab'.repeat(16), 'TEST_KEY'), /TEST_KEY must be 32 bytes/);
  });
});
