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
  /** In a pod: how long the preStop hook holds while clients move off this replica (see drain.ts). */
  drainHoldSeconds?: number;
  /** Several addresses for one service: processes on one machine (in a cluster, DNS gives every pod). */
  upstreams: Record<ShopService, Upstream | readonly Upstream[]>;
  /** The web app's service (storefront and console), served at `/`; without it the edge serves only APIs. */
  web?: Upstream | readonly Upstream[] | undefined;
  /** jwksCacheSeconds: api/constants.ts's JWKS_CACHE_SECONDS unless a test needs a shorter cache. */
  jwt: { issuer: string; audiences: string[]; jwksCacheSeconds?: number };
  /** Per client IP on every route. */
  rateLimit: RateLimit;
  /** Per client IP on the brute-force sensitive routes (sign-in, sign-up, refresh, reset). */
  authRateLimit: RateLimit;
  /** Per signed-in user (JWT subject), across the routes that take a token. */
  userRateLimit: RateLimit;
  /** The global rate limit service (its gRPC address), shared by every edge replica. */
  rateLimitService: Upstream & { mtls?: UpstreamMtls | undefined };
  /**
   * Proxies in front of the edge that append to X-Forwarded-For (a cloud load balancer: 1). The client
   * address is the entry that many hops from the right; anything a client sends further left is ignored.
   */
  trustedProxyHops: number;
  requestTimeoutSeconds: number;
  /**
   * Browser origins (scheme://host[:port]) allowed to call the API from another origin. None: the edge
   * adds no CORS headers and answers no preflight, so browsers refuse every cross-origin read.
   */
  corsAllowedOrigins?: readonly string[];
  /**
   * The edge listener's certificate and key (PEM files); it then speaks only TLS and sends HSTS. The
   * operator sets it unless the ShopDeployment says `edge.tls.enabled: false`; absent means plain
   * HTTP, which only the local platform (loopback) asks for.
   */
  tls?: EdgeTls | undefined;
  /** When set, the edge starts a trace per request and exports it over OTLP/gRPC to `collector`. */
  tracing?: { collector: Upstream; serviceName: string } | undefined;
}

/**
 * Mutual TLS to a gRPC upstream: the edge's own identity (`dir`: ca.crt, tls.crt, tls.key, a mounted
 * TLS Secret's layout) and the identity the upstream's certificate must name (its SAN URI).
 */
export interface UpstreamMtls {
  dir: string;
  serverIdentity: string;
}

export interface EdgeTls {
  certificateChainFile: string;
  privateKeyFile: string;
  /** Strict-Transport-Security max-age; a year unless a shop tries HTTPS out first. */
  hstsMaxAgeSeconds?: number;
}
