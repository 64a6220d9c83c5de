// The rate limit service as a process: `npm start -w @shopstack/ratelimit` (or the repository's `npm start`).
import { runService } from '@shopstack/kit';
import { rateLimitService } from './service.js';

await runService(rateLimitService);
