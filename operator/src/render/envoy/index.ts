export { renderEnvoyBootstrap, renderEnvoyYaml } from './bootstrap.js';
export { RATE_LIMIT_DOMAIN, rateLimitRules } from './ratelimit.js';
export { CLIENT_IP_HEADER, EDGE_ROUTES, type EdgeRoute } from './routes.js';
export type { EdgeTls, EnvoyConfigInput, RateLimit, Upstream } from './types.js';
