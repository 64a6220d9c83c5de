// Two edge replicas behind one (simulated) load balancer, sharing one rate limit service on Redis.
// The load balancer appends the real client address to X-Forwarded-For; whatever the client wrote
// further left is a lie the edge must ignore, for the limits and for the audit log alike.
import assert from 'node:assert/strict';
import { AUTH_BURST, type EdgeHarness, startEdge } from './edge-harness.js';

const USER_BURST = 4;
const PASSWORD = 'correct horse battery';

/** What a load balancer in front of the edge forwards: the client's own header, then the peer it saw. */
const viaLoadBalancer = (client: string, spoofed?: string) => ({
  'x-forwarded-for': spoofed ? `${spoofed}, ${client}` : client,
});

/** A refusal by the edge's limit, told apart from a service's own 429 by its problem type. */
const EDGE_LIMITED = 'edge-429';

async function edgeStatus(response: Response): Promise<number | typeof EDGE_LIMITED> {
  const body = await response.text();
  if (response.status === 429 && body.includes('/problems/edge/rate-limited')) return EDGE_LIMITED;
  return response.status;
}

async function login(url: string, headers: Record<string, string>, email: string, password: string) {
  return fetch(`${url}/api/users/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ email, password }),
  });
}

describe('global rate limits at the edge: replicas share one budget per client and per user', function () {
  this.timeout(120_000);
  let edge: EdgeHarness;

  before(async () => {
    edge = await startEdge({
      replicas: 2,
      trustedProxyHops: 1,
      userRateLimit: { requestsPerSecond: 1, burst: USER_BURST },
    });
  });

  after(async () => {
    await edge?.close();
  });

  it('refuses sign-in attempts past one budget across both replicas, however X-Forwarded-For is spoofed', async () => {
    const client = '203.0.113.7';
    const statuses: (number | typeof EDGE_LIMITED)[] = [];
    // Twice the burst: per-replica buckets would let every one of these through.
    for (let i = 0; i < 2 * AUTH_BURST; i++) {
      const url = edge.edgeUrls[i % 2]!;
      // A fresh email each time, so the users service's own lockout never answers instead of the edge.
      const response = await login(
        url,
        viaLoadBalancer(client, `198.51.100.${i}`),
        `nobody.${i}@example.test`,
        'wrong!',
      );
      statuses.push(await edgeStatus(response));
    }
    const passed = statuses.filter((status) => status !== EDGE_LIMITED).length;
    // The sign-in bucket refills one token a second, so one more may pass while the loop runs.
    assert.ok(passed >= AUTH_BURST && passed <= AUTH_BURST + 1, `statuses ${statuses.join(',')}`);
    assert.ok(
      statuses.slice(0, AUTH_BURST).every((status) => status === 401),
      `statuses ${statuses.join(',')}`,
    );

    // Another client behind the same load balancer has its own budget.
    const other = await login(
      edge.edgeUrls[1]!,
      viaLoadBalancer('203.0.113.8'),
      'other@example.test',
      'wrong!',
    );
    assert.equal(await edgeStatus(other), 401);
  });

  it('records the address the edge trusted in the audit log, not the spoofed one', async () => {
    const email = `spoof.${Date.now()}@example.test`;
    const client = '203.0.113.9';
    const spoofed = '192.0.2.66';
    const registered = await fetch(`${edge.edgeUrls[0]}/api/users/register`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...viaLoadBalancer(client, spoofed),
        'x-client-ip': spoofed,
      },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    assert.equal(registered.status, 201);
    const signedIn = await login(
      edge.edgeUrls[1]!,
      { ...viaLoadBalancer(client, spoofed), 'x-client-ip': spoofed },
      email,
      PASSWORD,
    );
    assert.equal(signedIn.status, 200);

    const { rows } = await edge.users.deps.pool.query<{ event: string; ip: string }>(
      'select event, ip from audit_log where email = $1 order by id',
      [email],
    );
    assert.deepEqual(
      rows.map((row) => [row.event, row.ip]),
      [
        ['user.registered', client],
        ['login.succeeded', client],
      ],
    );
  });

  it('limits a signed-in user across replicas, whichever address the calls come from', async () => {
    const email = `busy.${Date.now()}@example.test`;
    const client = '203.0.113.10';
    await fetch(`${edge.edgeUrls[0]}/api/users/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...viaLoadBalancer(client) },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    const signedIn = await login(edge.edgeUrls[0]!, viaLoadBalancer(client), email, PASSWORD);
    const { accessToken } = (await signedIn.json()) as { accessToken: string };

    const statuses: (number | typeof EDGE_LIMITED)[] = [];
    for (let i = 0; i < 2 * USER_BURST + 2; i++) {
      const response = await fetch(`${edge.edgeUrls[i % 2]}/api/users/me`, {
        headers: { authorization: `Bearer ${accessToken}`, ...viaLoadBalancer(`198.51.100.${100 + i}`) },
      });
      statuses.push(await edgeStatus(response));
    }
    const passed = statuses.filter((status) => status === 200).length;
    assert.ok(passed >= USER_BURST && passed <= USER_BURST + 1, `statuses ${statuses.join(',')}`);
    assert.equal(
      statuses.filter((status) => status !== 200 && status !== EDGE_LIMITED).length,
      0,
      `statuses ${statuses.join(',')}`,
    );
  });
});
