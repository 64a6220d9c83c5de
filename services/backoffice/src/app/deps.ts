// What the back office's use cases get: its own database, the jobs, its settings. Route files take
// this one object, so adding a part (a client of another service) touches this file and service.ts.
import type { Logger, Pool } from '@shopstack/kit';
import type { Owners } from '../adapters/owners.js';
import type { BackofficeConfig } from '../config.js';
import type { Jobs } from './jobs.js';

export interface BackofficeDeps {
  pool: Pool;
  logger: Logger;
  config: BackofficeConfig;
  jobs: Jobs;
  /** The owning services, over gRPC (the one-customer view, user actions, repairs). */
  owners: Owners;
}
