import { renderEnvoyYaml } from './src/render/envoy/index.ts';

const up = (port: number) => ({ host: '127.0.0.1', port });
console.log(
  renderEnvoyYaml({
    bindAddress: '127.0.0.1',
    listenPort: 18080,
    opsPort: 18081,
    adminPort: 19901,
    upstreams: { users: up(1), catalog: up(2), orders: up(3), payments: up(4), notifications: up(5) },
    jwt: { issuer: 'shopstack-users', audiences: ['shopstack'] },
    rateLimit: { requestsPerSecond: 5, burst: 10 },
    authRateLimit: { requestsPerSecond: 1, burst: 2 },
    requestTimeoutSeconds: 15,
  }),
);
