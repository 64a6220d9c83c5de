// The back office's metrics: jobs by outcome and duration, and the progress of each job running in
// this process (percent and ETA), so a dashboard shows a long report moving. The running-job series
// are removed when the job ends, so their number stays that of the jobs in flight.
import type { ServiceMetrics } from '@shopstack/kit';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { ProgressView } from '../domain/progress.js';

export interface RunningJobGauge {
  set(progress: ProgressView): void;
  remove(): void;
}

export interface JobMetrics {
  running(jobId: string, kind: string): RunningJobGauge;
  finished(kind: string, outcome: 'succeeded' | 'failed' | 'cancelled', durationMs: number): void;
}

export function createJobMetrics(metrics: ServiceMetrics): JobMetrics {
  const registers = [metrics.registry];
  const percent = new Gauge({
    name: 'backoffice_job_progress_percent',
    help: 'Progress of a job running in this process, 0-100',
    labelNames: ['job_id', 'kind'],
    registers,
  });
  const eta = new Gauge({
    name: 'backoffice_job_eta_seconds',
    help: 'Estimated seconds left of a job running in this process (-1: not known yet)',
    labelNames: ['job_id', 'kind'],
    registers,
  });
  const outcomes = new Counter({
    name: 'backoffice_jobs_total',
    help: 'Jobs finished, by kind and outcome',
    labelNames: ['kind', 'outcome'],
    registers,
  });
  const duration = new Histogram({
    name: 'backoffice_job_duration_seconds',
    help: 'Duration of the last attempt of finished jobs',
    labelNames: ['kind'],
    buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
    registers,
  });
  return {
    running(jobId, kind) {
      const labels = { job_id: jobId, kind };
      percent.set(labels, 0);
      eta.set(labels, -1);
      return {
        set(progress) {
          percent.set(labels, progress.percent);
          eta.set(labels, progress.etaSeconds ?? -1);
        },
        remove() {
          percent.remove(labels);
          eta.remove(labels);
        },
      };
    },
    finished(kind, outcome, durationMs) {
      outcomes.inc({ kind, outcome });
      duration.observe({ kind }, durationMs / 1000);
    },
  };
}
