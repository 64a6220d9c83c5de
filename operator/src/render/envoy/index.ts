export { renderEnvoyBootstrap, renderEnvoyYaml } from './bootstrap.js';
export { EDGE_ROUTES, type EdgeRoute } from './routes.js';
export type { EnvoyConfigInput, RateLimit, Upstream } from './types.js';
