// Registration, email verification, sign-in, refresh rotation and reuse detection, sign-out —
// end to end over HTTP against real PostgreSQL and RabbitMQ.
import assert from 'node:assert/strict';
import { waitFor } from '@shopstack/kit/testing';
import { type Harness, PASSWORD, startHarness, uniqueEmail } from './support/harness.js';

describe('users: identity flows', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h?.close());

  const countUsers = async (email: string) =>
    (await h.service.deps.pool.query('select count(*)::int as n from users where email = $1', [email]))
      .rows[0].n;

  describe('registration', () => {
    it('creates a customer, announces it, and verifies the email with the token sent by event', async () => {
      const email = uniqueEmail('Reg');
      const response = await h.call('/api/users/register', {
        body: { email: `  ${email.toUpperCase()} `, password: PASSWORD, phone: '+4915112345678' },
      });
      assert.equal(response.status, 201);
      assert.equal(response.body.email, email.toLowerCase());
      assert.equal(response.body.role, 'customer');
      assert.equal(response.body.emailVerified, false);
      assert.equal(response.body.phone, '+4915112345678');
      assert.equal('passwordHash' in response.body, false);

      const stored = await h.service.deps.pool.query('select password_hash from users where id = $1', [
        response.body.id,
      ]);
      assert.match(stored.rows[0].password_hash, /^\$argon2id\$/);

      const request = await waitFor(
        () => h.eventsOfType('user.email_verification_requested').find((e) => e.userId === response.body.id),
        { what: 'verification event' },
      );
      const verified = await h.call('/api/users/verify-email', { body: { token: request.token } });
      assert.equal(verified.status, 200);
      assert.equal(verified.body.emailVerified, true);
      const again = await h.call('/api/users/verify-email', { body: { token: request.token } });
      assert.equal(again.status, 400, 'the token is single use');
      assert.equal(again.body.type, 'https://shopstack.dev/problems/invalid-verification-token');
    });

    it('rejects bad input with a 400 problem naming the fields, storing nothing', async () => {
      const email = uniqueEmail('bad');
      const cases: [unknown, string[]][] = [
        [{ email: 'not-an-email', password: PASSWORD }, ['email']],
        [{ email, password: 'short' }, ['password']],
        [{ email, password: PASSWORD, phone: '0151 123' }, ['phone']],
        [{ password: PASSWORD }, ['email']],
        [{ email, password: 'aaaaaaaaaaaaaa' }, ['password']],
      ];
      for (const [body, fields] of cases) {
        const response = await h.call('/api/users/register', { body });
        assert.equal(response.status, 400, JSON.stringify(body));
        assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
        assert.match(response.body.type, /^https:\/\/shopstack\.dev\/problems\//);
        assert.ok(response.body.title && response.body.detail);
        assert.deepEqual(
          response.body.errors.map((e: { field: string }) => e.field),
          fields,
        );
      }
      assert.equal(await countUsers(email), 0);
      const malformed = await fetch(h.url('/api/users/register'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"email":',
      });
      assert.equal(malformed.status, 400);
    });

    it('lets exactly one of two concurrent registrations of one email succeed', async () => {
      const email = uniqueEmail('race');
      const attempts = await Promise.all(
        [0, 1].map(() => h.call('/api/users/register', { body: { email, password: PASSWORD } })),
      );
      assert.deepEqual(attempts.map((a) => a.status).sort(), [201, 409]);
      const conflict = attempts.find((a) => a.status === 409)!;
      assert.equal(conflict.body.type, 'https://shopstack.dev/problems/email-taken');
      assert.equal(conflict.body.errors[0].field, 'email');
      assert.equal(await countUsers(email), 1);
    });
  });

  describe('sign-in and sessions', () => {
    it('issues a short-lived EdDSA access token with kid, and a refresh token', async () => {
      const user = await h.register();
      const response = await h.call('/api/users/login', {
        body: { email: user.email, password: user.password },
      });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      assert.equal(response.body.twoFactorRequired, false);
      assert.equal(response.body.tokenType, 'Bearer');
      assert.ok(response.body.expiresIn <= 900);
      const [header, payload] = response.body.accessToken
        .split('.')
        .slice(0, 2)
        .map((part: string) => JSON.parse(Buffer.from(part, 'base64url').toString()));
      assert.equal(header.alg, 'EdDSA');
      assert.ok(header.kid);
      assert.equal(payload.sub, user.id);
      assert.equal(payload.iss, 'shopstack-users');
      assert.equal(payload.aud, 'shopstack');
      assert.equal(payload.role, 'customer');
      assert.ok(payload.exp - payload.iat <= 900);

      const me = await h.call('/api/users/me', { token: response.body.accessToken });
      assert.equal(me.status, 200);
      assert.equal(me.body.id, user.id);
    });

    it('answers a wrong password and an unknown email identically', async () => {
      const user = await h.register();
      const wrong = await h.call('/api/users/login', {
        body: { email: user.email, password: 'wrong password!' },
      });
      const unknown = await h.call('/api/users/login', {
        body: { email: uniqueEmail('ghost'), password: PASSWORD },
      });
      assert.equal(wrong.status, 401);
      assert.equal(unknown.status, 401);
      assert.deepEqual({ ...wrong.body, instance: undefined }, { ...unknown.body, instance: undefined });
    });

    it('rotates refresh tokens, and a reused one revokes the whole family', async () => {
      const user = await h.register();
      const first = await h.login(user.email, user.password);
      const second = await h.call('/api/users/token/refresh', { body: { refreshToken: first.refreshToken } });
      assert.equal(second.status, 200);
      assert.notEqual(second.body.refreshToken, first.refreshToken);
      const third = await h.call('/api/users/token/refresh', {
        body: { refreshToken: second.body.refreshToken },
      });
      assert.equal(third.status, 200);

      // The spent first token comes back (stolen copy): the family dies, including the newest token.
      const reuse = await h.call('/api/users/token/refresh', { body: { refreshToken: first.refreshToken } });
      assert.equal(reuse.status, 401);
      assert.equal(reuse.body.type, 'https://shopstack.dev/problems/invalid-refresh-token');
      const newest = await h.call('/api/users/token/refresh', {
        body: { refreshToken: third.body.refreshToken },
      });
      assert.equal(newest.status, 401);
      const me = await h.call('/api/users/me', { token: third.body.accessToken });
      assert.equal(me.status, 401, 'access tokens of a revoked session are refused by this service');

      const { rows } = await h.service.deps.pool.query(
        `select revoked_reason from refresh_families where user_id = $1`,
        [user.id],
      );
      assert.deepEqual(rows, [{ revoked_reason: 'reuse_detected' }]);
      const audit = await h.service.deps.pool.query(
        `select count(*)::int as n from audit_log where subject_id = $1 and event = 'token.reuse_detected'`,
        [user.id],
      );
      assert.equal(audit.rows[0].n, 1);

      // Another session of the same user is untouched.
      const other = await h.login(user.email, user.password);
      assert.equal(
        (await h.call('/api/users/token/refresh', { body: { refreshToken: other.refreshToken } })).status,
        200,
      );
    });

    it('two refreshes racing with one token: one wins, then the family is revoked', async () => {
      const user = await h.register();
      const tokens = await h.login(user.email, user.password);
      const results = await Promise.all(
        [0, 1].map(() => h.call('/api/users/token/refresh', { body: { refreshToken: tokens.refreshToken } })),
      );
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 401]);
      const winner = results.find((r) => r.status === 200)!;
      const after = await h.call('/api/users/token/refresh', {
        body: { refreshToken: winner.body.refreshToken },
      });
      assert.equal(after.status, 401);
    });

    it('logout revokes the family', async () => {
      const user = await h.register();
      const tokens = await h.login(user.email, user.password);
      const refreshed = await h.call('/api/users/token/refresh', {
        body: { refreshToken: tokens.refreshToken },
      });
      const logout = await h.call('/api/users/logout', {
        body: { refreshToken: refreshed.body.refreshToken },
      });
      assert.equal(logout.status, 204);
      const after = await h.call('/api/users/token/refresh', {
        body: { refreshToken: refreshed.body.refreshToken },
      });
      assert.equal(after.status, 401);
      assert.equal((await h.call('/api/users/me', { token: refreshed.body.accessToken })).status, 401);
    });
  });
});
