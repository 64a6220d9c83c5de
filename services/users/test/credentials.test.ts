// Credentials: lockout with growing backoff, password change and reset — end to end over HTTP.
import assert from 'node:assert/strict';
import { hash } from '@node-rs/argon2';
import { waitFor } from '@shopstack/kit/testing';
import { type Harness, PASSWORD, startHarness, uniqueEmail } from './support/harness.js';

describe('users: credentials', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h?.close());

  describe('lockout', () => {
    // The address the edge determined for each request (the kit reads it as ctx.ip).
    const from = (ip: string) => ({ 'x-client-ip': ip });
    const attempt = (email: string, password: string, ip: string) =>
      h.call('/api/users/login', { body: { email, password }, headers: from(ip) });

    it("locks the attacker's address out of an account, not its owner signing in from elsewhere", async () => {
      const user = await h.register();
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++)
        statuses.push((await attempt(user.email, 'wrong password!', '198.51.100.1')).status);
      assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
      assert.equal((await attempt(user.email, user.password, '198.51.100.1')).status, 429);

      const owner = await attempt(user.email, user.password, '203.0.113.5');
      assert.equal(owner.status, 200, JSON.stringify(owner.body));
      const { rows } = await h.service.deps.pool.query(
        'select client_ip, failures from login_failures where email = $1 order by client_ip',
        [user.email],
      );
      assert.deepEqual(rows, [{ client_ip: '198.51.100.1', failures: 5 }]);
    });

    it('slows down one address trying a few passwords on many accounts', async () => {
      const emails = Array.from({ length: 21 }, () => uniqueEmail('sprayed'));
      const statuses: number[] = [];
      for (const email of emails) statuses.push((await attempt(email, 'Winter2026!', '198.51.100.2')).status);
      // Each account saw one failure, far below its own limit; the address made 20 and is locked.
      assert.deepEqual(statuses, [...Array(20).fill(401), 429]);
      const refused = await attempt(uniqueEmail('never-tried'), 'Winter2026!', '198.51.100.2');
      assert.equal(refused.body.type, 'https://shopstack.dev/problems/login-locked');
      // Another address is not slowed by it.
      assert.equal((await attempt(emails[20]!, 'Winter2026!', '203.0.113.6')).status, 401);
    });

    it('locks an account after repeated failures, for existing and unknown emails alike', async () => {
      const user = await h.register();
      const ghost = uniqueEmail('ghost');
      for (const email of [user.email, ghost]) {
        const statuses: number[] = [];
        for (let i = 0; i < 6; i++) {
          statuses.push(
            (await h.call('/api/users/login', { body: { email, password: 'wrong password!' } })).status,
          );
        }
        assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
      }
      // Now even the right password is refused until the lock expires.
      const locked = await h.call('/api/users/login', {
        body: { email: user.email, password: user.password },
      });
      assert.equal(locked.status, 429);
      assert.equal(locked.body.type, 'https://shopstack.dev/problems/login-locked');
      assert.ok(Number(locked.headers.get('retry-after')) > 0);
      const lockedGhost = await h.call('/api/users/login', { body: { email: ghost, password: PASSWORD } });
      assert.deepEqual({ ...lockedGhost.body, instance: undefined }, { ...locked.body, instance: undefined });

      // The backoff grows: one more failure after the lock expires locks for twice as long.
      await h.service.deps.pool.query(`update login_failures set locked_until = now() where email = $1`, [
        user.email,
      ]);
      await h.call('/api/users/login', { body: { email: user.email, password: 'wrong password!' } });
      const { rows } = await h.service.deps.pool.query(
        `select failures, extract(epoch from locked_until - now()) as seconds from login_failures where email = $1`,
        [user.email],
      );
      assert.equal(rows[0].failures, 6, 'attempts refused while locked are not counted');
      assert.ok(Number(rows[0].seconds) > 31, `second lock lasts longer (${rows[0].seconds}s)`);

      await h.service.deps.pool.query(`delete from login_failures where email = $1`, [user.email]);
      assert.equal(
        (await h.call('/api/users/login', { body: { email: user.email, password: user.password } })).status,
        200,
      );
      const events = await h.service.deps.pool.query(
        `select event from audit_log where email = $1 and event like 'login.%' order by id`,
        [user.email],
      );
      assert.ok(events.rows.some((r) => r.event === 'login.locked'));
      assert.equal(events.rows.filter((r) => r.event === 'login.failed').length, 6);
      assert.equal(events.rows.at(-1).event, 'login.succeeded');
    });
  });

  describe('password hashes', () => {
    it('upgrades a hash made with older argon2id parameters at the next sign-in', async () => {
      const user = await h.register();
      const weaker = await hash(user.password, {
        algorithm: 2,
        memoryCost: 2048,
        timeCost: 1,
        parallelism: 1,
      });
      await h.service.deps.pool.query('update users set password_hash = $2 where id = $1', [user.id, weaker]);
      await h.login(user.email, user.password);
      const { rows } = await h.service.deps.pool.query('select password_hash from users where id = $1', [
        user.id,
      ]);
      assert.match(rows[0].password_hash, /^\$argon2id\$v=19\$m=4096,t=1,p=1\$/);
      await h.login(user.email, user.password);
    });
  });

  describe('passwords', () => {
    it('changes the password only with the current one, and ends every session', async () => {
      const user = await h.register();
      const tokens = await h.login(user.email, user.password);
      const wrong = await h.call('/api/users/me/password', {
        token: tokens.accessToken,
        body: { currentPassword: 'not the password', newPassword: 'a brand new secret' },
      });
      assert.equal(wrong.status, 400);
      assert.equal(wrong.body.errors[0].field, 'currentPassword');

      const changed = await h.call('/api/users/me/password', {
        token: tokens.accessToken,
        body: { currentPassword: user.password, newPassword: 'a brand new secret' },
      });
      assert.equal(changed.status, 204);
      assert.equal(
        (await h.call('/api/users/token/refresh', { body: { refreshToken: tokens.refreshToken } })).status,
        401,
      );
      assert.equal(
        (await h.call('/api/users/login', { body: { email: user.email, password: user.password } })).status,
        401,
      );
      await h.login(user.email, 'a brand new secret');
    });

    it('resets through a one-time, expiring token that is stored hashed', async () => {
      const user = await h.register();
      const tokens = await h.login(user.email, user.password);
      const requested = await h.call('/api/users/password-reset/request', { body: { email: user.email } });
      assert.equal(requested.status, 202);
      const unknown = await h.call('/api/users/password-reset/request', {
        body: { email: uniqueEmail('nobody') },
      });
      assert.equal(unknown.status, 202, 'no hint whether the account exists');

      const event = await waitFor(
        () => h.eventsOfType('user.password_reset_requested').find((e) => e.userId === user.id),
        { what: 'reset event' },
      );
      const stored = await h.service.deps.pool.query(
        `select encode(token_hash, 'hex') as hash from one_time_tokens where user_id = $1 and purpose = 'reset_password'`,
        [user.id],
      );
      assert.equal(stored.rows.length, 1);
      assert.notEqual(
        stored.rows[0].hash,
        Buffer.from(event.token).toString('hex'),
        'only the hash is stored',
      );

      const weak = await h.call('/api/users/password-reset/confirm', {
        body: { token: event.token, newPassword: 'short' },
      });
      assert.equal(weak.status, 400);
      const reset = await h.call('/api/users/password-reset/confirm', {
        body: { token: event.token, newPassword: 'reset to something new' },
      });
      assert.equal(reset.status, 204);
      const reused = await h.call('/api/users/password-reset/confirm', {
        body: { token: event.token, newPassword: 'and yet another one' },
      });
      assert.equal(reused.status, 400);
      assert.equal(reused.body.errors[0].field, 'token');
      assert.equal(
        (await h.call('/api/users/token/refresh', { body: { refreshToken: tokens.refreshToken } })).status,
        401,
      );
      await h.login(user.email, 'reset to something new');

      // An expired token is refused.
      await h.call('/api/users/password-reset/request', { body: { email: user.email } });
      const second = await waitFor(
        () => h.eventsOfType('user.password_reset_requested').filter((e) => e.userId === user.id)[1],
        { what: 'second reset event' },
      );
      await h.service.deps.pool.query(
        `update one_time_tokens set expires_at = now() - interval '1 second' where user_id = $1`,
        [user.id],
      );
      const expired = await h.call('/api/users/password-reset/confirm', {
        body: { token: second.token, newPassword: 'too late for this one' },
      });
      assert.equal(expired.status, 400);
    });
  });
});
