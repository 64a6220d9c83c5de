// Access tokens: a corpus of forged and tampered tokens is refused — by this service and by the
// kit's verifier that other services use with the JWKS URL — and key rotation keeps old keys
// published until their tokens have expired.
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { createJwtVerifier } from '@shopstack/kit';
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { type Harness, startHarness } from './support/harness.js';

type SigningKey = Parameters<SignJWT['sign']>[0];

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('users: access tokens and JWKS', () => {
  let h: Harness;
  let user: { id: string; email: string; password: string };
  let sessionId: string;
  let realKid: string;
  let realKey: SigningKey;
  let publicJwk: JWK;

  before(async () => {
    h = await startHarness();
    user = await h.register();
    const { accessToken } = await h.login(user.email, user.password);
    const header = JSON.parse(Buffer.from(accessToken.split('.')[0]!, 'base64url').toString());
    const payload = JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString());
    realKid = header.kid;
    sessionId = payload.sid;
    const { rows } = await h.service.deps.pool.query(
      'select private_jwk, public_jwk from signing_keys where kid = $1',
      [realKid],
    );
    realKey = await importJWK(rows[0].private_jwk, 'EdDSA');
    publicJwk = rows[0].public_jwk;
  });
  after(() => h?.close());

  const claims = () => ({ role: 'customer', sid: sessionId });
  const signed = (
    build: (jwt: SignJWT) => SignJWT = (jwt) => jwt,
    key: SigningKey = realKey,
    header: Record<string, unknown> = { alg: 'EdDSA', kid: realKid },
  ) =>
    build(
      new SignJWT(claims())
        .setProtectedHeader(header as { alg: string })
        .setIssuer('shopstack-users')
        .setAudience('shopstack')
        .setSubject(user.id)
        .setIssuedAt()
        .setExpirationTime('5m'),
    ).sign(key);

  async function corpus(): Promise<Record<string, string>> {
    const now = Math.floor(Date.now() / 1000);
    const basePayload = {
      ...claims(),
      sub: user.id,
      iss: 'shopstack-users',
      aud: 'shopstack',
      iat: now,
      exp: now + 300,
    };
    const hs256Header = b64({ alg: 'HS256', kid: realKid, typ: 'JWT' });
    const hs256Body = b64(basePayload);
    const hmacKey = Buffer.from(JSON.stringify(publicJwk));
    const hs256 = `${hs256Header}.${hs256Body}.${createHmac('sha256', hmacKey).update(`${hs256Header}.${hs256Body}`).digest('base64url')}`;
    const rawX = Buffer.from(publicJwk.x!, 'base64url');
    const hs256Raw = `${hs256Header}.${hs256Body}.${createHmac('sha256', rawX).update(`${hs256Header}.${hs256Body}`).digest('base64url')}`;
    const otherEd = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const otherEs = await generateKeyPair('ES256');
    const valid = await signed();
    const [validHeader, , validSignature] = valid.split('.');
    return {
      'alg none': `${b64({ alg: 'none', kid: realKid })}.${b64(basePayload)}.`,
      'HS256 signed with the public JWK': hs256,
      'HS256 signed with the raw public key': hs256Raw,
      'signed by another Ed25519 key under our kid': await signed((j) => j, otherEd.privateKey),
      'ES256 by another key under our kid': await signed((j) => j, otherEs.privateKey, {
        alg: 'ES256',
        kid: realKid,
      }),
      expired: await signed((j) => j.setIssuedAt(now - 3600).setExpirationTime(now - 600)),
      'not valid before the future': await signed((j) => j.setNotBefore(now + 600)),
      'wrong issuer': await signed((j) => j.setIssuer('someone-else')),
      'wrong audience': await signed((j) => j.setAudience('another-platform')),
      'unknown kid': await signed((j) => j, realKey, { alg: 'EdDSA', kid: randomUUID() }),
      'no kid': await signed((j) => j, realKey, { alg: 'EdDSA' }),
      'payload changed after signing': `${validHeader}.${b64({ ...basePayload, role: 'admin' })}.${validSignature}`,
      'signature stripped': `${validHeader}.${b64(basePayload)}.`,
      garbage: 'not.a.jwt',
    };
  }

  it('accepts a well-formed token signed with the real key (the corpus below is not failing for another reason)', async () => {
    const me = await h.call('/api/users/me', { token: await signed() });
    assert.equal(me.status, 200);
    assert.equal(me.body.id, user.id);
  });

  it('refuses every token of the tampered corpus with 401 problem+json', async () => {
    for (const [name, token] of Object.entries(await corpus())) {
      const response = await h.call('/api/users/me', { token });
      assert.equal(response.status, 401, name);
      assert.equal(response.body.type, 'https://shopstack.dev/problems/invalid-token', name);
    }
    const missing = await h.call('/api/users/me');
    assert.equal(missing.status, 401);
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer');
  });

  it("refuses the corpus in the kit's JWKS-based verifier that other services use", async () => {
    const verifier = createJwtVerifier({
      jwksUrl: h.url('/.well-known/jwks.json'),
      issuer: 'shopstack-users',
      audience: 'shopstack',
    });
    const accepted = await verifier.verify(await signed());
    assert.equal(accepted.id, user.id);
    assert.equal(accepted.role, 'customer');
    for (const [name, token] of Object.entries(await corpus())) {
      await assert.rejects(
        verifier.verify(token),
        (error: Error & { code?: string }) => error.code === 'invalid-token',
        name,
      );
    }
  });

  it('publishes a rotated key before it signs and keeps the old one until its tokens have expired', async () => {
    const admin = await h.userWithRole('admin');
    const kidOf = (token: string) =>
      JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid as string;
    const before = await h.login(user.email, user.password);
    const oldKid = kidOf(before.accessToken);

    const rotated = await h.call('/api/users/admin/signing-keys/rotate', {
      token: admin.accessToken,
      body: {},
    });
    assert.equal(rotated.status, 200);
    const newKid = rotated.body.kid;
    assert.notEqual(newKid, oldKid);
    assert.ok(Date.parse(rotated.body.activatesAt) > Date.now(), 'the new key waits before signing');

    const jwks = await h.call('/.well-known/jwks.json');
    assert.deepEqual(jwks.body.keys.map((k: JWK) => k.kid).sort(), [oldKid, newKid].sort());
    for (const key of jwks.body.keys) {
      assert.equal(key.d, undefined, 'no private material in the JWKS');
      assert.equal(key.alg, 'EdDSA');
    }
    const waiting = await h.login(user.email, user.password);
    assert.equal(kidOf(waiting.accessToken), oldKid, 'the old key signs until the new one activates');

    // The publication lead has passed: the new key signs, the old one stays published.
    await h.service.deps.pool.query(
      `update signing_keys set activates_at = now() - case kid when $1 then interval '10 minutes' else interval '1 second' end
        where kid in ($1, $2)`,
      [oldKid, newKid],
    );
    await h.service.deps.keys.reload();
    const after = await h.login(user.email, user.password);
    assert.equal(kidOf(after.accessToken), newKid);
    assert.deepEqual(
      (await h.call('/.well-known/jwks.json')).body.keys.map((k: JWK) => k.kid).sort(),
      [oldKid, newKid].sort(),
    );
    assert.equal(
      (await h.call('/api/users/me', { token: before.accessToken })).status,
      200,
      'old tokens still verify',
    );

    // Once tokens signed by the old key can no longer be valid, the key leaves the JWKS.
    await h.service.deps.pool.query(
      `update signing_keys set activates_at = now() - case kid when $1 then interval '3 hours' else interval '2 hours' end
        where kid in ($1, $2)`,
      [oldKid, newKid],
    );
    await h.service.deps.keys.reload();
    const later = await h.call('/.well-known/jwks.json');
    assert.deepEqual(
      later.body.keys.map((k: JWK) => k.kid),
      [newKid],
    );
    assert.equal((await h.call('/api/users/me', { token: before.accessToken })).status, 401);
    assert.equal((await h.call('/api/users/me', { token: after.accessToken })).status, 200);
  });

  it('exports public keys only', async () => {
    const jwks = await h.call('/.well-known/jwks.json');
    assert.ok(jwks.body.keys.length >= 1);
    assert.deepEqual(
      Object.keys(
        await exportJWK((await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true })).publicKey),
      ).sort(),
      ['crv', 'kty', 'x'],
    );
    for (const key of jwks.body.keys)
      assert.deepEqual(Object.keys(key).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x']);
  });
});
