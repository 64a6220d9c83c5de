// The nightly retention run: the back office deletes its own expired report files (bounded batches)
// and asks every service to purge its own tables, with a retention.requested event through its
// outbox (each service runs the kit's purge on what it owns; the back office deletes nothing else).
import { enqueueOutbox, type Pool, withTransaction } from '@shopstack/kit';
import { retentionRequested } from '@shopstack/proto/messages';
import { deleteExpiredReportFiles } from '../adapters/reporting-store.js';
import type { JobDefinition } from './jobs.js';

export const RETENTION_JOB = 'retention';

export function retentionJob(
  pool: Pool,
  options: { batchSize: number; maxBatches: number; exchange: string },
): JobDefinition<object> {
  return {
    kind: RETENTION_JOB,
    parse: () => ({}),
    async run(ctx) {
      // The job id is the tick's: a retried attempt sends the same message id, applied once per service.
      await withTransaction(pool, (client) =>
        enqueueOutbox(client, {
          exchange: options.exchange,
          routingKey: retentionRequested.type,
          type: retentionRequested.type,
          messageId: ctx.jobId,
          payload: retentionRequested.encode({
            runId: ctx.jobId,
            requestedAt: ctx.requestedAt.toISOString(),
          }),
        }).then(
          () => undefined,
          (error) => {
            // Sent by an earlier attempt already (same message id).
            if ((error as { code?: string }).code !== '23505') throw error;
          },
        ),
      );
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
