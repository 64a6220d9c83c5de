// Roles and ownership, user management by admins, and the audit log.
import assert from 'node:assert/strict';
import { waitFor } from '@shopstack/kit/testing';
import { type Harness, startHarness, uniqueEmail } from './support/harness.js';

describe('users: roles, administration and audit', () => {
  let h: Harness;
  let admin: { id: string; accessToken: string };
  let support: { id: string; accessToken: string };
  let customer: { id: string; accessToken: string };

  before(async () => {
    h = await startHarness();
    admin = await h.userWithRole('admin');
    support = await h.userWithRole('support');
    customer = await h.userWithRole('customer');
  });
  after(() => h?.close());

  describe('roles and ownership', () => {
    it('lets a customer read only their own profile', async () => {
      const other = await h.register();
      assert.equal((await h.call(`/api/users/${customer.id}`, { token: customer.accessToken })).status, 200);
      const denied = await h.call(`/api/users/${other.id}`, { token: customer.accessToken });
      assert.equal(denied.status, 403);
      assert.equal(denied.body.type, 'https://shopstack.dev/problems/forbidden');
      assert.equal((await h.call(`/api/users/${other.id}`, { token: support.accessToken })).status, 200);
      assert.equal((await h.call(`/api/users/${other.id}`, { token: admin.accessToken })).status, 200);
      const badId = await h.call('/api/users/not-a-uuid', { token: admin.accessToken });
      assert.equal(badId.status, 400);
      assert.equal(badId.body.errors[0].field, 'id');
    });

    it('lets users change their own phone number, validated, and only their own', async () => {
      const set = await h.call('/api/users/me', {
        method: 'PATCH',
        body: { phone: '+4930123456' },
        token: customer.accessToken,
      });
      assert.equal(set.status, 200);
      assert.equal(set.body.phone, '+4930123456');
      const bad = await h.call('/api/users/me', {
        method: 'PATCH',
        body: { phone: '030 123' },
        token: customer.accessToken,
      });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.errors[0].field, 'phone');
      const cleared = await h.call('/api/users/me', {
        method: 'PATCH',
        body: { phone: null },
        token: customer.accessToken,
      });
      assert.equal(cleared.body.phone, null);
      const { rows } = await h.service.deps.pool.query('select phone from users where id = $1', [
        customer.id,
      ]);
      assert.equal(rows[0].phone, null);
      assert.equal(
        (await h.call('/api/users/me', { method: 'PATCH', body: { phone: '+4930123456' } })).status,
        401,
      );
    });

    it('refuses NUL bytes and integers past bigint in searches as 400s naming the field', async () => {
      const cases: [string, string][] = [
        ['/api/users/admin/users?query=a%00b', 'query'],
        ['/api/users/admin/audit?event=a%00b', 'event'],
        ['/api/users/admin/audit?before=9223372036854775808', 'before'],
      ];
      for (const [path, field] of cases) {
        const refused = await h.call(path, { token: admin.accessToken });
        assert.equal(refused.status, 400, path);
        assert.equal(refused.body.type, 'https://shopstack.dev/problems/validation');
        assert.deepEqual(
          refused.body.errors.map((e: { field: string }) => e.field),
          [field],
        );
      }
      const last = await h.call('/api/users/admin/audit?before=9223372036854775807&limit=1', {
        token: admin.accessToken,
      });
      assert.equal(last.status, 200);
      assert.equal(last.body.entries.length, 1);
    });

    it('keeps user management to admins and the audit log to admins and support', async () => {
      const target = await h.register();
      const attempts: [string, string, unknown][] = [
        ['GET', '/api/users/admin/users', undefined],
        ['POST', `/api/users/admin/users/${target.id}/block`, { reason: 'x' }],
        ['POST', `/api/users/admin/users/${target.id}/unblock`, {}],
        ['PUT', `/api/users/admin/users/${target.id}/role`, { role: 'admin' }],
        ['DELETE', `/api/users/admin/users/${target.id}`, undefined],
        ['POST', '/api/users/admin/signing-keys/rotate', {}],
      ];
      for (const [method, path, body] of attempts) {
        for (const actor of [customer, support]) {
          const response = await h.call(path, { method, body, token: actor.accessToken });
          assert.equal(response.status, 403, `${method} ${path}`);
        }
        assert.equal((await h.call(path, { method, body })).status, 401, `${method} ${path} anonymous`);
      }
      const { rows } = await h.service.deps.pool.query(
        'select role, blocked_at, deleted_at from users where id = $1',
        [target.id],
      );
      assert.deepEqual(rows[0], { role: 'customer', blocked_at: null, deleted_at: null });

      assert.equal((await h.call('/api/users/admin/audit', { token: customer.accessToken })).status, 403);
      assert.equal((await h.call('/api/users/admin/audit', { token: support.accessToken })).status, 200);
      assert.equal((await h.call('/api/users/admin/audit', { token: admin.accessToken })).status, 200);
    });

    it('does not let an admin block, demote or delete themselves', async () => {
      const self = await h.call(`/api/users/admin/users/${admin.id}/role`, {
        method: 'PUT',
        body: { role: 'customer' },
        token: admin.accessToken,
      });
      assert.equal(self.status, 403);
      assert.equal(self.body.type, 'https://shopstack.dev/problems/cannot-target-self');
    });
  });

  describe('user management', () => {
    it('lists and searches users with cursor pagination', async () => {
      const tag = `find${Date.now()}`;
      const created = [];
      for (let i = 0; i < 5; i++) created.push(await h.register(uniqueEmail(tag)));
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `/api/users/admin/users?query=${tag}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const page = await h.call(query, { token: admin.accessToken });
        assert.equal(page.status, 200);
        assert.ok(page.body.users.length <= 2);
        seen.push(...page.body.users.map((u: { id: string }) => u.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      assert.deepEqual([...seen].sort(), created.map((u) => u.id).sort());
      assert.equal(new Set(seen).size, 5, 'no user twice across pages');

      const admins = await h.call('/api/users/admin/users?role=admin', { token: admin.accessToken });
      assert.ok(admins.body.users.every((u: { role: string }) => u.role === 'admin'));
      assert.ok(admins.body.users.some((u: { id: string }) => u.id === admin.id));
      const bad = await h.call('/api/users/admin/users?limit=1000&role=king', { token: admin.accessToken });
      assert.equal(bad.status, 400);
      assert.deepEqual(bad.body.errors.map((e: { field: string }) => e.field).sort(), ['limit', 'role']);
    });

    it('blocks: no sign-in, no refresh, sessions gone, user.blocked published; unblock restores sign-in', async () => {
      const target = await h.register();
      const session = await h.login(target.email, target.password);
      const blocked = await h.call(`/api/users/admin/users/${target.id}/block`, {
        body: { reason: 'chargeback fraud' },
        token: admin.accessToken,
      });
      assert.equal(blocked.status, 200);
      assert.equal(blocked.body.blocked, true);

      const login = await h.call('/api/users/login', {
        body: { email: target.email, password: target.password },
      });
      assert.equal(login.status, 401);
      assert.equal(login.body.type, 'https://shopstack.dev/problems/invalid-credentials');
      assert.equal(
        (await h.call('/api/users/token/refresh', { body: { refreshToken: session.refreshToken } })).status,
        401,
      );
      assert.equal((await h.call('/api/users/me', { token: session.accessToken })).status, 401);

      const event = await waitFor(() => h.eventsOfType('user.blocked').find((e) => e.userId === target.id), {
        what: 'user.blocked event',
      });
      assert.equal(event.reason, 'chargeback fraud');

      const unblocked = await h.call(`/api/users/admin/users/${target.id}/unblock`, {
        body: {},
        token: admin.accessToken,
      });
      assert.equal(unblocked.body.blocked, false);
      await h.login(target.email, target.password);
    });

    it('changes roles, ending the sessions that carry the old role', async () => {
      const target = await h.register();
      const session = await h.login(target.email, target.password);
      const changed = await h.call(`/api/users/admin/users/${target.id}/role`, {
        method: 'PUT',
        body: { role: 'support' },
        token: admin.accessToken,
      });
      assert.equal(changed.status, 200);
      assert.equal(changed.body.role, 'support');
      assert.equal((await h.call('/api/users/me', { token: session.accessToken })).status, 401);
      const fresh = await h.login(target.email, target.password);
      assert.equal((await h.call('/api/users/admin/audit', { token: fresh.accessToken })).status, 200);
    });

    it('deletes softly: the record stays, personal data is anonymized, sign-in is impossible', async () => {
      const target = await h.register(uniqueEmail('todelete'));
      await h.call('/api/users/login', { body: { email: target.email, password: 'wrong password!' } });
      const deleted = await h.call(`/api/users/admin/users/${target.id}`, {
        method: 'DELETE',
        token: admin.accessToken,
      });
      assert.equal(deleted.status, 204);
      const { rows } = await h.service.deps.pool.query(
        'select email, phone, password_hash, deleted_at from users where id = $1',
        [target.id],
      );
      assert.equal(rows[0].email, `deleted-${target.id}@users.invalid`);
      assert.equal(rows[0].phone, null);
      assert.equal(rows[0].password_hash, '!');
      assert.ok(rows[0].deleted_at);
      const audit = await h.service.deps.pool.query(
        'select count(*)::int as n from audit_log where email = $1',
        [target.email],
      );
      assert.equal(audit.rows[0].n, 0, 'the audit log keeps no address of a deleted user');
      const login = await h.call('/api/users/login', {
        body: { email: target.email, password: target.password },
      });
      assert.equal(login.status, 401);
      const profile = await h.call(`/api/users/${target.id}`, { token: admin.accessToken });
      assert.equal(profile.body.deleted, true);
      const again = await h.call(`/api/users/admin/users/${target.id}`, {
        method: 'DELETE',
        token: admin.accessToken,
      });
      assert.equal(again.status, 404);
      // The address is free again.
      assert.equal(
        (await h.call('/api/users/register', { body: { email: target.email, password: target.password } }))
          .status,
        201,
      );
    });
  });

  describe('audit log', () => {
    it('records security events, filterable by user and event', async () => {
      const target = await h.register();
      await h.call('/api/users/login', { body: { email: target.email, password: 'wrong password!' } });
      await h.login(target.email, target.password);
      await h.call(`/api/users/admin/users/${target.id}/block`, {
        body: { reason: 'test' },
        token: admin.accessToken,
      });
      await h.call(`/api/users/admin/users/${target.id}/role`, {
        method: 'PUT',
        body: { role: 'support' },
        token: admin.accessToken,
      });

      const all = await h.call(`/api/users/admin/audit?userId=${target.id}`, { token: support.accessToken });
      assert.equal(all.status, 200);
      assert.deepEqual(all.body.entries.map((e: { event: string }) => e.event).reverse(), [
        'user.registered',
        'login.failed',
        'login.succeeded',
        'user.blocked',
        'role.changed',
      ]);
      const roleChange = all.body.entries[0];
      assert.equal(roleChange.actorId, admin.id);
      assert.deepEqual(roleChange.details, { from: 'customer', to: 'support' });
      assert.equal(
        all.body.entries.find((e: { event: string }) => e.event === 'login.failed').details.reason,
        'wrong_password',
      );

      const onlyBlocks = await h.call(`/api/users/admin/audit?event=user.blocked&userId=${target.id}`, {
        token: admin.accessToken,
      });
      assert.equal(onlyBlocks.body.entries.length, 1);
      const page = await h.call(`/api/users/admin/audit?userId=${target.id}&limit=2`, {
        token: admin.accessToken,
      });
      const next = await h.call(
        `/api/users/admin/audit?userId=${target.id}&limit=2&before=${page.body.entries[1].id}`,
        {
          token: admin.accessToken,
        },
      );
      assert.deepEqual(
        next.body.entries.map((e: { event: string }) => e.event),
        ['login.succeeded', 'login.failed'],
      );
    });
  });
});
