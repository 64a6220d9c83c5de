// A signing-key rotation while clients keep signing in and calling an authenticated route through a
// real Envoy that caches the JWKS: no valid token may be refused, before, during or after the switch.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { type EdgeHarness, servedByUsers, startEdge } from './edge-harness.js';

const PASSWORD = 'correct horse battery';
const JWKS_CACHE_SECONDS = 3;
const CLIENTS = 2;

const kidOf = (token: string) =>
  (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;

async function signIn(usersUrl: string, email: string): Promise<string> {
  const response = await fetch(`${usersUrl}/api/users/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  assert.equal(response.status, 200, `sign-in: ${await response.clone().text()}`);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

describe('the edge during a signing-key rotation', function () {
  this.timeout(120_000);
  let edge: EdgeHarness;

  before(async () => {
    edge = await startEdge({ jwksCacheSeconds: JWKS_CACHE_SECONDS, signingKeyMarginSeconds: 3 });
  });

  after(async () => {
    await edge?.close();
  });

  it('refuses no valid token while a new key takes over', async () => {
    const emails: string[] = [];
    for (let client = 0; client < CLIENTS; client++) {
      const email = `rotation.${client}.${Date.now()}@example.test`;
      const registered = await fetch(`${edge.users.httpUrl}/api/users/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: PASSWORD }),
      });
      assert.equal(registered.status, 201);
      emails.push(email);
    }
    // Tokens from before the rotation, held by clients that keep using them.
    const earlier = await Promise.all(emails.map((email) => signIn(edge.users.httpUrl, email)));
    const oldKid = kidOf(earlier[0]!);
    // The edge has fetched the JWKS with the current key.
    const first = await fetch(`${edge.edgeUrl}/api/users/me`, {
      headers: { authorization: `Bearer ${earlier[0]}` },
    });
    assert.equal(first.status, 200);

    // Rotate just after Envoy refreshed its JWKS, so it holds the old key set for a whole cache period:
    // a key that signed at once would be refused for those seconds.
    const fetched = await servedByUsers(edge, '/.well-known/jwks.json');
    while ((await servedByUsers(edge, '/.well-known/jwks.json')) === fetched) await sleep(20);
    // The same path as the admin route and the scheduled rotation.
    const { kid: newKid, activatesAt } = await edge.users.deps.keys.rotate();
    // Past the activation and two more cache periods: every edge has had the chance to misbehave.
    const until = Math.max(activatesAt.getTime(), Date.now()) + 2 * JWKS_CACHE_SECONDS * 1000 + 1000;

    const refused: string[] = [];
    const signedWith = new Set<string>();
    let calls = 0;
    await Promise.all(
      emails.map(async (email, client) => {
        while (Date.now() < until) {
          const fresh = await signIn(edge.users.httpUrl, email);
          signedWith.add(kidOf(fresh));
          for (const token of [fresh, earlier[client]!]) {
            const response = await fetch(`${edge.edgeUrl}/api/users/me`, {
              headers: { authorization: `Bearer ${token}` },
            });
            calls++;
            if (response.status !== 200)
              refused.push(
                `${response.status} for a token signed by ${kidOf(token) === newKid ? 'the new' : 'the old'} key`,
              );
          }
          await sleep(50);
        }
      }),
    );

    assert.deepEqual(refused, [], `${refused.length} of ${calls} calls refused`);
    assert.ok(signedWith.has(newKid), 'the new key signed tokens during the run');
    assert.ok(calls > 20, `enough calls: ${calls}`);
    assert.notEqual(newKid, oldKid);
  });
});
