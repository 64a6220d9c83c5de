import type { ShopService } from '../../api/constants.js';

export interface Upstream {
  host: string;
  /** The service's HTTP port (REST, /readyz). */
  port: number;
}

export interface RateLimit {
  requestsPerSecond: number;
  burst: number;
}

/** Everything the edge needs to know; the same input serves the cluster and local runs. */
export interface EnvoyConfigInput {
  /** Address the listeners bind to: 0.0.0.0 in a pod, 127.0.0.1 on a laptop. */
  bindAddress: string;
  listenPort: number;
  /** Serves only /ready and /stats/prometheus from the admin interface, which stays on loopback. */
  opsPort: number;
  adminPort: number;
  upstreams: Record<ShopService, Upstream>;
  jwt: { issuer: string; audiences: string[] };
  rateLimit: RateLimit;
  authRateLimit: RateLimit;
  requestTimeoutSeconds: number;
}
