// Anomaly rules as pure decisions: given what was measured over a window, does the rule fire?
// Rates need a minimum of attempts, so one declined order out of two is not an alarm.

export interface RateMeasure {
  failures: number;
  attempts: number;
}

export interface RateRule {
  name: string;
  /** Fires above this share of attempts (0..1). */
  threshold: number;
  /** Below this many attempts in the window the rule stays silent. */
  minAttempts: number;
}

export function rateFires(rule: RateRule, measure: RateMeasure): { fires: boolean; rate: number } {
  const rate = measure.attempts > 0 ? measure.failures / measure.attempts : 0;
  return { fires: measure.attempts >= rule.minAttempts && rate > rule.threshold, rate };
}
