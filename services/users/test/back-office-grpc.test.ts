// The back office's user actions over the real gRPC API on PostgreSQL: confirm an email by hand, block /
// unblock, sign out everywhere (refresh tokens stop working), the sessions and the audit trail — each
// audited with the acting admin and the reason, repeatable without a second effect, never on oneself.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { testGrpcChannel, waitFor } from '@shopstack/kit/testing';
import { UsersServiceDefinition } from '@shopstack/proto/shop/users/v1/users';
import { type Channel, ClientError, createClient, Status } from 'nice-grpc';
import { type Harness, startHarness } from './support/harness.js';

describe('users: back office over gRPC', () => {
  let h: Harness;
  let channel: Channel;
  let users: ReturnType<typeof createClient<typeof UsersServiceDefinition>>;
  let admin: { id: string };
  before(async () => {
    h = await startHarness();
    channel = await testGrpcChannel(h.service.grpcAddress!, 'backoffice');
    users = createClient(UsersServiceDefinition, channel);
    admin = await h.userWithRole('admin');
  });
  after(async () => {
    channel?.close();
    await h?.close();
  });

  const refusedWith = (status: Status) => (error: unknown) =>
    error instanceof ClientError && error.code === status;
  const auditOf = async (userId: string) =>
    (await users.getAuditTrail({ userId, limit: 0, beforeId: '' })).entries.map((e) => ({
      event: e.event,
      actorId: e.actorId,
      details: JSON.parse(e.detailsJson),
    }));

  it('confirms an email by hand, once, audited with the admin and the reason', async () => {
    const ann = await h.register();
    const why = 'customer showed the confirmation code on a support call';
    const { user } = await users.confirmEmail({ userId: ann.id, actorId: admin.id, reason: why });
    assert.equal(user?.emailVerified, true);
    const again = await users.confirmEmail({ userId: ann.id, actorId: admin.id, reason: why });
    assert.equal(again.user?.emailVerified, true);
    const confirmations = (await auditOf(ann.id)).filter((e) => e.event === 'email.confirmed_by_admin');
    assert.deepEqual(confirmations, [
      { event: 'email.confirmed_by_admin', actorId: admin.id, details: { reason: why } },
    ]);
  });

  it('signs a user out everywhere: their refresh tokens stop working; the sessions show it', async () => {
    const bea = await h.register();
    const first = await h.login(bea.email, bea.password);
    await h.login(bea.email, bea.password);
    const before = await users.listSessions({ userId: bea.id });
    assert.equal(before.sessions.length, 2);
    assert.ok(before.sessions.every((s) => s.revokedAt === '' && s.lastRefreshedAt !== ''));

    const why = 'phone reported stolen';
    const { sessionsRevoked } = await users.signOutEverywhere({
      userId: bea.id,
      actorId: admin.id,
      reason: why,
    });
    assert.equal(sessionsRevoked, 2);
    const refresh = await h.call('/api/users/token/refresh', { body: { refreshToken: first.refreshToken } });
    assert.equal(refresh.status, 401, JSON.stringify(refresh.body));
    // The deny list's event: every service refuses the user's access tokens from now on.
    const revoked = await waitFor(() => h.eventsOfType('session.revoked').find((e) => e.userId === bea.id), {
      what: 'session.revoked event',
    });
    assert.equal(revoked.reason, 'signed_out_by_admin');
    assert.equal(revoked.sessionId, null);
    const after = await users.listSessions({ userId: bea.id });
    assert.ok(after.sessions.every((s) => s.revokedAt !== '' && s.revokedReason === 'signed_out_by_admin'));
    // Nothing left to revoke: no second effect, no second audit entry.
    assert.equal(
      (await users.signOutEverywhere({ userId: bea.id, actorId: admin.id, reason: why })).sessionsRevoked,
      0,
    );
    assert.deepEqual(
      (await auditOf(bea.id)).filter((e) => e.event === 'sessions.revoked_by_admin'),
      [
        {
          event: 'sessions.revoked_by_admin',
          actorId: admin.id,
          details: { reason: why, sessionsRevoked: 2 },
        },
      ],
    );
  });

  it('blocks and unblocks through the existing use cases, with the reason in the audit', async () => {
    const cy = await h.register();
    const blocked = await users.blockUser({
      userId: cy.id,
      actorId: admin.id,
      reason: 'card testing from this account',
    });
    assert.equal(blocked.user?.blocked, true);
    const login = await h.call('/api/users/login', { body: { email: cy.email, password: cy.password } });
    assert.notEqual(login.status, 200);
    const unblocked = await users.unblockUser({ userId: cy.id, actorId: admin.id, reason: 'false positive' });
    assert.equal(unblocked.user?.blocked, false);
    const trail = await auditOf(cy.id);
    assert.deepEqual(
      trail.filter((e) => e.event.startsWith('user.')).map((e) => [e.event, e.actorId, e.details.reason]),
      [
        ['user.unblocked', admin.id, 'false positive'],
        ['user.blocked', admin.id, 'card testing from this account'],
        ['user.registered', '', undefined],
      ],
    );
  });

  it('refuses acting on oneself, unknown users and bad input; nothing changes', async () => {
    await assert.rejects(
      users.signOutEverywhere({ userId: admin.id, actorId: admin.id, reason: 'testing myself' }),
      refusedWith(Status.PERMISSION_DENIED),
    );
    await assert.rejects(
      users.confirmEmail({ userId: randomUUID(), actorId: admin.id, reason: 'no such user' }),
      refusedWith(Status.NOT_FOUND),
    );
    const dee = await h.register();
    for (const bad of [
      { userId: 'not-a-uuid', actorId: admin.id, reason: 'a reason' },
      { userId: dee.id, actorId: admin.id, reason: '' },
    ])
      await assert.rejects(users.blockUser(bad), refusedWith(Status.INVALID_ARGUMENT));
    assert.equal((await users.getUser({ id: dee.id })).user?.blocked, false);
  });
});
