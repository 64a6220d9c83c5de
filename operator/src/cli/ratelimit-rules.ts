// Prints the rules the local rate limit service enforces (its RATE_LIMIT_RULES), as JSON:
//
//   npm run ratelimit-rules -w @shopstack/operator
import { rateLimitRules } from '../render/envoy/index.js';
import { LOCAL_LIMITS } from './local-limits.js';

process.stdout.write(`${JSON.stringify(rateLimitRules(LOCAL_LIMITS))}\n`);
