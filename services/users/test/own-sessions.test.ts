// A person's own sessions: the list of open ones (which device, which is this one) and signing one
// of them out, with the ownership checks (another's session is not found and keeps working) and the
// deny list refusing the signed-out session's access token.
import assert from 'node:assert/strict';
import { waitFor } from '@shopstack/kit/testing';
import { type Harness, startHarness } from './support/harness.js';

const sidOf = (token: string) =>
  (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sid: string }).sid;
const PHONE_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148';
const LAPTOP_UA = 'Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0 Safari/537.36';

describe('users: one’s own sessions', () => {
  let h: Harness;
  let user: { id: string; email: string; password: string };
  let phone: { accessToken: string; refreshToken: string };
  let laptop: { accessToken: string; refreshToken: string };

  const signIn = async (who: { email: string; password: string }, userAgent: string) => {
    const reply = await h.call('/api/users/login', {
      body: { email: who.email, password: who.password },
      headers: { 'user-agent': userAgent },
    });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    return reply.body as { accessToken: string; refreshToken: string };
  };
  const sessions = (token: string) => h.call('/api/users/me/sessions', { token });
  const signOut = (token: string, sessionId: string) =>
    h.call(`/api/users/me/sessions/${sessionId}`, { method: 'DELETE', token });

  before(async () => {
    h = await startHarness();
    user = await h.register();
    phone = await signIn(user, PHONE_UA);
    laptop = await signIn(user, LAPTOP_UA);
  });
  after(() => h?.close());

  it('lists the open sessions with where they began, the current one marked; a logged-out one is gone', async () => {
    const ended = await signIn(user, 'curl/8.0');
    assert.equal(
      (await h.call('/api/users/logout', { body: { refreshToken: ended.refreshToken } })).status,
      204,
    );
    const reply = await sessions(laptop.accessToken);
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.equal(reply.headers.get('cache-control'), 'no-store');
    const listed = reply.body.sessions as {
      id: string;
      userAgent: string;
      ip: string;
      current: boolean;
      createdAt: string;
      expiresAt: string;
    }[];
    assert.deepEqual(
      listed.map((s) => [s.id, s.userAgent, s.current]),
      [
        [sidOf(laptop.accessToken), LAPTOP_UA, true],
        [sidOf(phone.accessToken), PHONE_UA, false],
      ],
    );
    assert.ok(
      listed.every((s) => s.ip === '127.0.0.1'),
      JSON.stringify(listed),
    );
    assert.ok(listed.every((s) => Date.parse(s.expiresAt) > Date.parse(s.createdAt)));

    // A refresh rotates the token, not the session: still one entry for the phone, now used last.
    const refreshed = await h.call('/api/users/token/refresh', {
      body: { refreshToken: phone.refreshToken },
    });
    assert.equal(refreshed.status, 200);
    phone = refreshed.body;
    const after = (await sessions(phone.accessToken)).body.sessions as { id: string; current: boolean }[];
    assert.deepEqual(
      after.map((s) => [s.id, s.current]),
      [
        [sidOf(phone.accessToken), true],
        [sidOf(laptop.accessToken), false],
      ],
    );
  });

  it('refuses another user’s session as not found and leaves it working; a bad id is a 400 naming it', async () => {
    const other = await h.register();
    const theirs = await signIn(other, LAPTOP_UA);
    const refused = await signOut(laptop.accessToken, sidOf(theirs.accessToken));
    assert.equal(refused.status, 404);
    assert.equal(refused.body.type, 'https://shopstack.dev/problems/session-not-found');
    assert.equal(refused.headers.get('content-type'), 'application/problem+json');
    assert.equal((await h.call('/api/users/me', { token: theirs.accessToken })).status, 200);
    const stillRefreshes = await h.call('/api/users/token/refresh', {
      body: { refreshToken: theirs.refreshToken },
    });
    assert.equal(stillRefreshes.status, 200, 'their session is untouched');
    assert.equal((await sessions(stillRefreshes.body.accessToken)).body.sessions.length, 1);

    const unknown = await signOut(laptop.accessToken, '00000000-0000-4000-8000-000000000000');
    assert.equal(unknown.status, 404);
    const malformed = await signOut(laptop.accessToken, 'not-a-uuid');
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.errors[0].field, 'id');
    assert.equal((await h.call('/api/users/me/sessions')).status, 401, 'no token, no list');
  });

  it('signs the phone out from the laptop: its refresh token dies, its access token is denied, the laptop stays in', async () => {
    const phoneSid = sidOf(phone.accessToken);
    const out = await signOut(laptop.accessToken, phoneSid);
    assert.equal(out.status, 204, JSON.stringify(out.body));

    const refresh = await h.call('/api/users/token/refresh', { body: { refreshToken: phone.refreshToken } });
    assert.equal(refresh.status, 401);
    assert.equal(refresh.body.type, 'https://shopstack.dev/problems/invalid-refresh-token');
    // The verifier reads the deny list: the phone's still-unexpired access token is refused as revoked.
    const denied = await waitFor(
      async () => {
        const reply = await h.call('/api/users/me', { token: phone.accessToken });
        return reply.body.type === 'https://shopstack.dev/problems/token-revoked' && reply;
      },
      { what: 'the phone’s access token refused as revoked' },
    );
    assert.equal(denied.status, 401);
    assert.equal((await h.call('/api/users/me', { token: laptop.accessToken })).status, 200);
    assert.deepEqual(
      (await sessions(laptop.accessToken)).body.sessions.map((s: { id: string }) => s.id),
      [sidOf(laptop.accessToken)],
    );

    const event = await waitFor(
      () => h.eventsOfType('session.revoked').find((e) => e.sessionId === phoneSid),
      { what: 'session.revoked for the phone' },
    );
    assert.equal(event.reason, 'logout');
    const { rows } = await h.service.deps.pool.query(
      `select details from audit_log where event = 'session.signed_out' and subject_id = $1`,
      [user.id],
    );
    assert.deepEqual(rows, [{ details: { sessionId: phoneSid, current: false } }]);

    // Again: it has ended, so nothing more happens (no second audit entry).
    assert.equal((await signOut(laptop.accessToken, phoneSid)).status, 204);
    const again = await h.service.deps.pool.query(
      `select 1 from audit_log where event = 'session.signed_out' and subject_id = $1`,
      [user.id],
    );
    assert.equal(again.rowCount, 1);
  });

  it('signs the current session out too: the token that asked is refused afterwards', async () => {
    assert.equal((await signOut(laptop.accessToken, sidOf(laptop.accessToken))).status, 204);
    const refused = await h.call('/api/users/me/sessions', { token: laptop.accessToken });
    assert.equal(refused.status, 401);
  });
});
