// The edge's limits on a laptop (npm start): the ShopDeployment defaults, from the one schema, so the
// local edge (render-envoy.ts) and the local rate limit service (ratelimit-rules.ts) agree.
import { EdgeSpec } from '../api/spec.js';

const defaults = EdgeSpec.parse({});

export const LOCAL_LIMITS = {
  rateLimit: defaults.rateLimit,
  authRateLimit: defaults.authRateLimit,
  userRateLimit: defaults.userRateLimit,
};
