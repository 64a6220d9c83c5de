// A job's life: queued → running → succeeded | failed | cancelled. A failed attempt that has attempts
// left goes back to queued (graphile-worker runs it again after an exponential back-off).

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const isFinished = (status: JobStatus) =>
  status === 'succeeded' || status === 'failed' || status === 'cancelled';

/** Thrown inside a job when a person cancelled it; the runner records it and does not retry. */
export class JobCancelled extends Error {
  constructor(readonly jobId: string) {
    super(`job ${jobId} was cancelled`);
    this.name = 'JobCancelled';
  }
}
