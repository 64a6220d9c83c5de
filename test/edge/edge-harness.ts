// A real Envoy, configured by the operator's renderer, in front of a real users service. The other
// services' routes point at a port nobody listens on, so the edge sees them as unhealthy.
import { freePort } from '@shopstack/kit/testing';
import type { UsersService } from '@shopstack/users';
import { startEnvoy } from '../support/envoy.js';
import { eventually } from '../support/process.js';
import { startTestUsers } from '../support/users.js';

export interface EdgeHarness {
  edgeUrl: string;
  users: UsersService;
  close(): Promise<void>;
}

/** The stricter per-client limit on sign-in routes, small so a test can exhaust it. */
export const AUTH_BURST = 5;

export async function startEdge(): Promise<EdgeHarness> {
  const testUsers = await startTestUsers('edge');
  const users = testUsers.service;
  const nowhere = { host: '127.0.0.1', port: await freePort() };
  const envoy = await startEnvoy({
    upstreams: {
      users: { host: '127.0.0.1', port: Number(new URL(users.httpUrl).port) },
      catalog: nowhere,
      orders: nowhere,
      payments: nowhere,
      notifications: nowhere,
    },
    jwt: { issuer: 'shopstack-users', audiences: ['shopstack'] },
    rateLimit: { requestsPerSecond: 100, burst: 200 },
    authRateLimit: { requestsPerSecond: 1, burst: AUTH_BURST },
    requestTimeoutSeconds: 10,
  });
  const { edgeUrl } = envoy;
  // Ready once the JWKS answers through the edge: the users cluster passed its health check.
  await eventually(
    async () => (await fetch(`${edgeUrl}/.well-known/jwks.json`)).status === 200,
    60_000,
  ).catch((error) => {
    throw new Error(`${error}\nenvoy output:\n${envoy.output()}`);
  });
  return {
    edgeUrl,
    users,
    async close() {
      await envoy.close();
      await testUsers.close();
    },
  };
}
