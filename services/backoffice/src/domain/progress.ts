// Progress of a long job as a person reads it: a percent and an estimate of the time left, from how
// far it got in how long. Pure, so the API, the metric and the tests compute it the same way.

export interface ProgressView {
  done: number;
  total: number;
  /** 0–100, one decimal; 100 once finished, 0 before anything is known. */
  percent: number;
  /** Seconds left at the pace so far; null before the pace is known or once finished. */
  etaSeconds: number | null;
}

export function progressOf(input: {
  done: number;
  total: number;
  startedAt: Date | null;
  finished: boolean;
  now: Date;
}): ProgressView {
  const { done, total } = input;
  if (input.finished) return { done, total, percent: 100, etaSeconds: null };
  const ratio = total > 0 ? Math.min(1, done / total) : 0;
  const percent = Math.floor(ratio * 1000) / 10;
  if (!input.startedAt || ratio <= 0) return { done, total, percent, etaSeconds: null };
  const elapsed = Math.max(0, (input.now.getTime() - input.startedAt.getTime()) / 1000);
  const etaSeconds = Math.round((elapsed / ratio) * (1 - ratio));
  return { done, total, percent, etaSeconds };
}
