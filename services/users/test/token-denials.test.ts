// The deny list users records and serves to every service: what a sign-out, a block and a deletion
// put in it, the feed's cursor, and the events published beside it.
import assert from 'node:assert/strict';
import { TokenDenialsFeed } from '@shopstack/kit';
import { waitFor } from '@shopstack/kit/testing';
import { sessionRevoked, userBlocked, userDeleted } from '@shopstack/proto/messages';
import { type Harness, startHarness } from './support/harness.js';

const sidOf = (token: string) =>
  (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sid: string }).sid;

describe('users: the token deny list', () => {
  let h: Harness;
  let admin: { id: string; accessToken: string };

  before(async () => {
    h = await startHarness();
    admin = await h.userWithRole('admin');
  });
  after(() => h?.close());

  async function feed(after?: string): Promise<TokenDenialsFeed> {
    const response = await fetch(h.url(`/internal/token-denials${after ? `?after=${after}` : ''}`));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    return TokenDenialsFeed.parse(await response.json());
  }

  it('lists a signed-out session from then on; the cursor returns what came after', async () => {
    const first = await feed();
    const user = await h.register();
    const session = await h.login(user.email, user.password);
    assert.equal((await h.call('/api/users/me', { token: session.accessToken })).status, 200);
    const out = await h.call('/api/users/logout', { body: { refreshToken: session.refreshToken } });
    assert.equal(out.status, 204);

    const next = await feed(first.cursor);
    assert.deepEqual(
      next.denials.map((d) => [d.subject, d.sessionId]),
      [[user.id, sidOf(session.accessToken)]],
    );
    const expiresIn = Date.parse(next.denials[0]!.expiresAt) - Date.now();
    assert.ok(
      expiresIn > 890_000 && expiresIn <= 905_000,
      `a denial lives as long as a token: ${expiresIn} ms`,
    );
    const revoked = await waitFor(() => h.eventsOfType('session.revoked').find((e) => e.userId === user.id), {
      what: 'session.revoked event',
    });
    assert.deepEqual(sessionRevoked.parse(revoked), {
      userId: user.id,
      sessionId: sidOf(session.accessToken),
      reason: 'logout',
      occurredAt: revoked.occurredAt,
    });
    assert.equal(revoked.schemaVersion, sessionRevoked.version);
    // The service's own verifier reads the same list within a poll: the token is refused as revoked.
    const me = await waitFor(
      async () => {
        const reply = await h.call('/api/users/me', { token: session.accessToken });
        return reply.body.type === 'https://shopstack.dev/problems/token-revoked' && reply;
      },
      { what: 'the verifier refusing the signed-out token as revoked' },
    );
    assert.equal(me.status, 401);

    // The cursor never goes back. (A row may be served again while any transaction older than it
    // still runs anywhere on the server: repeats are harmless, so this test does not forbid them.)
    const later = await feed(next.cursor);
    assert.ok(BigInt(later.cursor) >= BigInt(next.cursor));
    assert.ok(
      (await feed()).denials.some((d) => d.sessionId === sidOf(session.accessToken)),
      'in the full list',
    );
  });

  it('denies every session of a blocked user and of a deleted one; a sign-in after unblocking works at once', async () => {
    const user = await h.register();
    const one = await h.login(user.email, user.password);
    const two = await h.login(user.email, user.password);
    const before = await feed();
    const block = await h.call(`/api/users/admin/users/${user.id}/block`, {
      body: { reason: 'card testing' },
      token: admin.accessToken,
    });
    assert.equal(block.status, 200);
    const denials = (await feed(before.cursor)).denials.filter((d) => d.subject === user.id);
    assert.deepEqual(
      denials.map((d) => d.sessionId).sort(),
      [null, sidOf(one.accessToken), sidOf(two.accessToken)].sort(),
      'the user, and each session open at the block',
    );
    const blocked = await waitFor(() => h.eventsOfType('user.blocked').find((e) => e.userId === user.id), {
      what: 'user.blocked event',
    });
    assert.equal(userBlocked.parse(blocked).reason, 'card testing');
    const everySession = await waitFor(
      () => h.eventsOfType('session.revoked').find((e) => e.userId === user.id),
      { what: 'session.revoked event' },
    );
    assert.equal(everySession.sessionId, null);
    assert.equal(everySession.reason, 'blocked');

    await h.call(`/api/users/admin/users/${user.id}/unblock`, { body: {}, token: admin.accessToken });
    const fresh = await h.login(user.email, user.password);
    assert.equal((await h.call('/api/users/me', { token: fresh.accessToken })).status, 200);
    assert.equal((await h.call('/api/users/me', { token: one.accessToken })).status, 401);

    const deleted = await h.call(`/api/users/admin/users/${user.id}`, {
      method: 'DELETE',
      token: admin.accessToken,
    });
    assert.equal(deleted.status, 204);
    assert.ok(
      (await feed()).denials.some((d) => d.sessionId === sidOf(fresh.accessToken)),
      'the session opened after the unblock ends with the deletion',
    );
    const gone = await waitFor(() => h.eventsOfType('user.deleted').find((e) => e.userId === user.id), {
      what: 'user.deleted event',
    });
    assert.equal(userDeleted.parse(gone).userId, user.id);
  });

  it('refuses a malformed cursor as problem+json and keeps the feed out of the public API document', async () => {
    const bad = await fetch(h.url('/internal/token-denials?after=1;drop'));
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { errors: { field: string }[] }).errors[0]?.field, 'after');
    const document = (await (await fetch(h.url('/openapi.json'))).json()) as { paths: object };
    assert.equal(
      Object.keys(document.paths).some((path) => path.startsWith('/internal')),
      false,
    );
  });
});
