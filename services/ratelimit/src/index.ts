export { type RateLimitConfig, rateLimitConfigSchema } from './config.js';
export { LIMIT_KEYS, type LimitKey, type LimitRule, ROUTE_CLASS_KEY } from './domain/limits.js';
export { rateLimitService, startRateLimitService } from './service.js';
