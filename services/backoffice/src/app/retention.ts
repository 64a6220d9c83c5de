// The nightly retention run of the back office: its own expired report files, in bounded batches.
// (Each service purges its own tables; the back office only schedules.)
import type { Pool } from '@shopstack/kit';
import { deleteExpiredReportFiles } from '../adapters/reporting-store.js';
import type { JobDefinition } from './jobs.js';

export const RETENTION_JOB = 'retention';

export function retentionJob(
  pool: Pool,
  options: { batchSize: number; maxBatches: number },
): JobDefinition<object> {
  return {
    kind: RETENTION_JOB,
    parse: () => ({}),
    async run(ctx) {
      let deleted = 0;
      for (let batch = 0; batch < options.maxBatches; batch++) {
        const n = await deleteExpiredReportFiles(pool, options.batchSize);
        deleted += n;
        await ctx.progress(batch + 1, options.maxBatches);
        if (n < options.batchSize) break;
      }
      await ctx.progress(options.maxBatches, options.maxBatches);
      ctx.logger.info({ reportFiles: deleted }, 'retention run finished');
    },
  };
}
