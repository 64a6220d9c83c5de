// API keys: created by their owner and shown once, stored as an HMAC under the pepper, scoped,
// exchanged for a token that only scoped routes accept, revoked, last use recorded.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { type Harness, startHarness } from './support/harness.js';

const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as {
    sid: string;
    scope?: string;
    sub: string;
  };

describe('users: API keys', () => {
  let h: Harness;
  let owner: { id: string; accessToken: string };

  before(async () => {
    h = await startHarness({ API_KEY_PEPPER: randomBytes(32).toString('hex'), API_KEYS_PER_USER: '3' });
    owner = await h.userWithRole('admin');
  });
  after(() => h?.close());

  const create = (body: unknown, token = owner.accessToken) => h.call('/api/users/api-keys', { body, token });

  it('shows a new key once, stores only its HMAC, and lists it without the key', async () => {
    const created = await create({ name: 'catalog import', scopes: ['catalog:write'], expiresInDays: 30 });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.match(created.body.key, /^ssk_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
    assert.equal(created.headers.get('cache-control'), 'no-store');
    const secret = created.body.key.split('_').at(-1);
    const { rows } = await h.service.deps.pool.query(
      'select secret_hash, scopes, expires_at from api_keys where id = $1',
      [created.body.id],
    );
    assert.equal(rows[0].secret_hash.length, 32, 'an HMAC-SHA256');
    assert.equal(rows[0].secret_hash.toString('utf8').includes(secret), false);
    const everything = await h.service.deps.pool.query(
      "select count(*)::int as n from api_keys where secret_hash::text like '%' || $1 || '%'",
      [Buffer.from(secret).toString('hex')],
    );
    assert.equal(everything.rows[0].n, 0, 'the secret is nowhere in the table');
    assert.deepEqual(rows[0].scopes, ['catalog:write']);

    const listed = await h.call('/api/users/api-keys', { token: owner.accessToken });
    assert.equal(listed.status, 200);
    const mine = listed.body.keys.find((k: { id: string }) => k.id === created.body.id);
    assert.equal(mine.name, 'catalog import');
    assert.equal(mine.lastUsedAt, null);
    assert.equal(JSON.stringify(listed.body).includes(secret), false, 'the key is never listed');
  });

  it('exchanges a key for a token with its scopes that only scoped routes accept; records the use', async () => {
    const created = await create({ name: 'webhooks', scopes: ['webhooks:manage'] });
    const exchanged = await h.call('/api/users/api-keys/token', { body: { apiKey: created.body.key } });
    assert.equal(exchanged.status, 200, JSON.stringify(exchanged.body));
    const claims = claimsOf(exchanged.body.accessToken);
    assert.equal(claims.sub, owner.id);
    assert.equal(claims.sid, created.body.id, "the key's id is the token's session");
    assert.equal(claims.scope, 'webhooks:manage');

    // No users route names a scope: the key's token can neither read the profile nor make a new key.
    const me = await h.call('/api/users/me', { token: exchanged.body.accessToken });
    assert.equal(me.status, 403);
    assert.equal(me.body.type, 'https://shopstack.dev/problems/api-key-not-allowed');
    const escalate = await create({ name: 'more', scopes: ['catalog:write'] }, exchanged.body.accessToken);
    assert.equal(escalate.status, 403);

    const { rows } = await h.service.deps.pool.query('select last_used_at from api_keys where id = $1', [
      created.body.id,
    ]);
    assert.ok(rows[0].last_used_at instanceof Date, 'last use recorded');
  });

  it('refuses a revoked, a forged and a malformed key, and a revoked one with the same answer', async () => {
    const created = await create({ name: 'short lived', scopes: ['catalog:write'] });
    const revoke = await h.call(`/api/users/api-keys/${created.body.id}`, {
      method: 'DELETE',
      token: owner.accessToken,
    });
    assert.equal(revoke.status, 204);
    const forged = `${created.body.key.slice(0, -4)}AAAA`;
    for (const apiKey of [created.body.key, forged, 'ssk_nope']) {
      const refused = await h.call('/api/users/api-keys/token', { body: { apiKey } });
      assert.equal(refused.status, 401, apiKey);
      assert.equal(refused.body.type, 'https://shopstack.dev/problems/invalid-api-key');
    }
    const { rows } = await h.service.deps.pool.query(
      'select session_id, reason from token_denials where session_id = $1',
      [created.body.id],
    );
    assert.deepEqual(rows, [{ session_id: created.body.id, reason: 'api_key_revoked' }]);
    const other = await h.userWithRole('customer');
    const notYours = await h.call(`/api/users/api-keys/${created.body.id}`, {
      method: 'DELETE',
      token: other.accessToken,
    });
    assert.equal(notYours.status, 404);
  });

  it('refuses an unknown scope or a bad name naming the field, and more keys than allowed', async () => {
    const badScope = await create({ name: 'x', scopes: ['admin:everything'] });
    assert.equal(badScope.status, 400);
    assert.equal(badScope.body.errors[0].field, 'scopes.0');
    const badName = await create({ name: '<script>', scopes: ['catalog:write'] });
    assert.equal(badName.status, 400);
    assert.equal(badName.body.errors[0].field, 'name');
    const user = await h.userWithRole('customer');
    for (let i = 0; i < 3; i++)
      assert.equal(
        (await create({ name: `k${i}`, scopes: ['catalog:write'] }, user.accessToken)).status,
        201,
      );
    const fourth = await create({ name: 'k3', scopes: ['catalog:write'] }, user.accessToken);
    assert.equal(fourth.status, 409);
    assert.equal(fourth.body.type, 'https://shopstack.dev/problems/too-many-api-keys');
  });

  it('issues no keys at all without a pepper', async () => {
    const plain = await startHarness();
    try {
      const user = await plain.userWithRole('customer');
      const refused = await plain.call('/api/users/api-keys', {
        body: { name: 'k', scopes: ['catalog:write'] },
        token: user.accessToken,
      });
      assert.equal(refused.status, 409);
      assert.equal(refused.body.type, 'https://shopstack.dev/problems/api-keys-disabled');
      const { rows } = await plain.service.deps.pool.query('select count(*)::int as n from api_keys');
      assert.equal(rows[0].n, 0);
    } finally {
      await plain.close();
    }
  });
});
