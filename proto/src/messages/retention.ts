// Retention: the back office's schedule asks every service to purge its own old rows. Each service
// runs the purge on its own tables (the kit's mechanism); the back office never deletes elsewhere.
import { z } from 'zod';
import { defineMessage } from './contract.js';

export const retentionRequested = defineMessage(
  'retention.requested',
  1,
  z.object({
    /** The scheduled run (one per tick), so a service can tell runs apart in its logs. */
    runId: z.string().min(1).max(128),
    requestedAt: z.iso.datetime(),
  }),
);

export type RetentionRequested = z.output<typeof retentionRequested.schema>;
