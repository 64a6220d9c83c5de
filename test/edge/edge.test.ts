import assert from 'node:assert/strict';
import { rawRequest } from '@shopstack/kit/testing';
import { generateKeyPair, SignJWT } from 'jose';
import { AUTH_BURST, type EdgeHarness, servedByUsers, startEdge } from './edge-harness.js';

const PASSWORD = 'correct horse battery';

async function post(url: string, body: unknown, token?: string) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
}

/** The edge answers in the services' error format: problem+json with a stable type. */
async function assertProblem(response: Response, status: number, type: string) {
  assert.equal(response.status, status);
  assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const body = (await response.json()) as { type: string; status: number; title: string; instance: string };
  assert.equal(body.type, `https://shopstack.dev/problems/edge/${type}`);
  assert.equal(body.status, status);
  assert.ok(body.title.length > 0);
  assert.ok(body.instance.startsWith('/'), `instance ${body.instance}`);
}

describe('the edge: Envoy in front of the users service', function () {
  this.timeout(120_000);
  let edge: EdgeHarness;
  let accessToken: string;
  let refreshToken: string;
  let userId: string;

  before(async () => {
    edge = await startEdge();
  });

  after(async () => {
    await edge?.close();
  });

  it('lets the public sign-up, sign-in and refresh flows through and checks the token on /me', async () => {
    const email = `edge.${Date.now()}@example.test`;
    const registered = await post(`${edge.edgeUrl}/api/users/register`, { email, password: PASSWORD });
    assert.equal(registered.status, 201);
    userId = ((await registered.json()) as { id: string }).id;

    const login = await post(`${edge.edgeUrl}/api/users/login`, { email, password: PASSWORD });
    assert.equal(login.status, 200);
    ({ accessToken, refreshToken } = (await login.json()) as { accessToken: string; refreshToken: string });

    const refreshed = await post(`${edge.edgeUrl}/api/users/token/refresh`, { refreshToken });
    assert.equal(refreshed.status, 200);
    accessToken = ((await refreshed.json()) as { accessToken: string }).accessToken;

    const me = await fetch(`${edge.edgeUrl}/api/users/me`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { id: string }).id, userId);
  });

  it('sheds requests without a valid token before they reach the service', async () => {
    const before = await servedByUsers(edge, '/api/users/me');
    const [header, payload, signature] = accessToken.split('.');
    const flipped = `${signature!.startsWith('A') ? 'B' : 'A'}${signature!.slice(1)}`;
    const { privateKey } = await generateKeyPair('EdDSA');
    const kid = JSON.parse(Buffer.from(header!, 'base64url').toString()).kid as string;
    const forged = await new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'EdDSA', kid })
      .setSubject(userId)
      .setIssuer('shopstack-users')
      .setAudience('shopstack')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);

    for (const token of [undefined, `${header}.${payload}.${flipped}`, forged, 'not-a-jwt']) {
      const response = await fetch(`${edge.edgeUrl}/api/users/me`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
      assert.equal(response.status, 401, `token ${String(token).slice(0, 20)}… was let through`);
      await assertProblem(response, 401, 'unauthenticated');
    }
    assert.equal(
      await servedByUsers(edge, '/api/users/me'),
      before,
      'the service saw a request the edge should have shed',
    );
  });

  it('keeps the service closed when reached without the edge', async () => {
    const direct = await fetch(`${edge.users.httpUrl}/api/users/me`);
    assert.equal(direct.status, 401);
    assert.match(direct.headers.get('content-type') ?? '', /application\/problem\+json/);
  });

  it('limits sign-in attempts per client and answers 429 past the burst', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < AUTH_BURST + 5; i++) {
      const response = await post(`${edge.edgeUrl}/api/users/login`, {
        email: 'nobody@example.test',
        password: 'wrong password!',
      });
      statuses.push(response.status);
    }
    const limited = statuses.filter((status) => status === 429).length;
    await assertProblem(
      await post(`${edge.edgeUrl}/api/users/login`, {
        email: 'nobody@example.test',
        password: 'wrong password!',
      }),
      429,
      'rate-limited',
    );
    assert.ok(
      limited >= 3,
      `expected the edge to refuse most attempts past the burst, got ${statuses.join(',')}`,
    );
    // The sign-up, sign-in and refresh of the first test spent 3 of the burst of 5 from this client.
    assert.ok(
      statuses.slice(0, AUTH_BURST - 3).every((status) => status === 401),
      `first attempts: ${statuses.join(',')}`,
    );
  });

  it('answers 503 at once for a service with no healthy instance, without trying it', async () => {
    const response = await fetch(`${edge.edgeUrl}/api/orders/orders`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    await assertProblem(response, 503, 'unavailable');
  });

  it('routes nothing it does not know', async () => {
    const response = await fetch(`${edge.edgeUrl}/internal/admin`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    await assertProblem(response, 404, 'not-found');
  });

  it('refuses an escaped slash or backslash in a path as a problem+json 400, not a bare redirect', async () => {
    for (const path of ['/api/users/a%5Cb', '/api/users/a%5cb', '/api/users/a%2Fb']) {
      const response = await fetch(`${edge.edgeUrl}${path}`, {
        headers: { authorization: `Bearer ${accessToken}` },
        redirect: 'manual',
      });
      await assertProblem(response, 400, 'bad-request');
    }
  });

  it('passes an unsupported method to the service, which answers 405 with Allow in status and body', async () => {
    for (const [method, path] of [
      ['TRACE', '/api/users/me'],
      ['PATCH', `/api/users/${userId}`],
    ] as const) {
      const response = await rawRequest(`${edge.edgeUrl}${path}`, method, {
        authorization: `Bearer ${accessToken}`,
      });
      assert.equal(response.status, 405, `${method} ${path}`);
      assert.match(String(response.headers.allow), /GET/);
      assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
      assert.equal(JSON.parse(response.body).status, 405);
    }
  });
});
