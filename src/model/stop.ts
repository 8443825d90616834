/**
 * Stop rules, evaluated in one place for every engine (WebGPU in the browser, Dawn, and the
 * runner driving native harnesses), so "±1% CI" means the same thing everywhere.
 *
 * The CI rule uses the distribution-free order-statistic interval of the median (binomial
 * ranks): no resampling, so it is cheap enough to evaluate after every batch. The final result
 * still reports the bootstrap CI from src/stats.
 */
import type { StopRule } from './result.ts';

/** Defaults for the CI rule's safety limits. */
export const CI_RULE_DEFAULTS = { maxIterations: 10_000, maxMs: 60_000, minSamples: 10 } as const;

/** Order-statistic CI of the median at ~95%, as [lo, hi] of the sorted samples. */
export function medianRankInterval(sorted: Float64Array): [number, number] {
  const n = sorted.length;
  const half = 1.959964 * Math.sqrt(n) * 0.5;
  const lo = Math.max(0, Math.floor(n / 2 - half) - 1);
  const hi = Math.min(n - 1, Math.ceil(n / 2 + half));
  return [sorted[lo] ?? Number.NaN, sorted[hi] ?? Number.NaN];
}

/** Relative half-width of the median's order-statistic CI: (hi − lo) / 2 / median. */
export function relativeHalfWidth(samples: readonly number[]): number {
  if (samples.length < CI_RULE_DEFAULTS.minSamples) return Number.POSITIVE_INFINITY;
  const sorted = Float64Array.from(samples).sort();
  const n = sorted.length;
  const mid =
    n % 2 === 1
      ? (sorted[(n - 1) / 2] ?? 0)
      : ((sorted[n / 2 - 1] ?? 0) + (sorted[n / 2] ?? 0)) / 2;
  if (mid <= 0) return 0;
  const [lo, hi] = medianRankInterval(sorted);
  return (hi - lo) / 2 / mid;
}

/** Why sampling stopped. */
export type StopReason = 'count' | 'ci-reached' | 'ci-gave-up' | 'time';

/** Decides after each batch whether to stop; returns the reason, or null to go on. */
export function shouldStop(
  rule: StopRule,
  samples: readonly number[],
  elapsedMs: number,
): StopReason | null {
  switch (rule.kind) {
    case 'count':
      return samples.length >= rule.iterations ? 'count' : null;
    case 'time':
      return elapsedMs >= rule.budgetMs && samples.length > 0 ? 'time' : null;
    case 'ci': {
      if (relativeHalfWidth(samples) <= rule.target) return 'ci-reached';
      const maxN = rule.maxIterations ?? CI_RULE_DEFAULTS.maxIterations;
      const maxMs = rule.maxMs ?? CI_RULE_DEFAULTS.maxMs;
      return samples.length >= maxN || (elapsedMs >= maxMs && samples.length > 0)
        ? 'ci-gave-up'
        : null;
    }
  }
}

/** Upper bound on samples a rule can ask for (for buffer sizing and progress bars). */
export function maxSamples(rule: StopRule): number {
  switch (rule.kind) {
    case 'count':
      return rule.iterations;
    case 'ci':
      return rule.maxIterations ?? CI_RULE_DEFAULTS.maxIterations;
    case 'time':
      return 100_000;
  }
}

/** Human text of a rule, e.g. `100 samples`, `CI ±1% (≤ 10000 samples, 60 s)`, `10 s budget`. */
export function describeStopRule(rule: StopRule): string {
  switch (rule.kind) {
    case 'count':
      return `${rule.iterations} samples`;
    case 'ci':
      return `CI ±${(rule.target * 100).toPrecision(2)}% (≤ ${rule.maxIterations ?? CI_RULE_DEFAULTS.maxIterations} samples, ${(rule.maxMs ?? CI_RULE_DEFAULTS.maxMs) / 1000} s)`;
    case 'time':
      return `${rule.budgetMs / 1000} s budget`;
  }
}

/**
 * What a stop reason means, as a sentence for the result's notes, e.g. `gave up after 10000
 * samples: the median's 95% CI was still ±3.1%, wider than the ±1.0% target, when the sample
 * cap (10000) was reached; the timings vary too much for that target — widen it or raise the cap`.
 */
export function describeStopReason(
  reason: StopReason,
  rule: StopRule,
  samples: readonly number[],
  elapsedMs: number,
): string {
  const n = samples.length;
  const pct = (x: number): string => `±${(x * 100).toPrecision(2)}%`;
  switch (reason) {
    case 'count':
      return `stopped after ${n} samples, the count asked for`;
    case 'time':
      return `stopped after ${n} samples: the ${rule.kind === 'time' ? `${rule.budgetMs / 1000} s ` : ''}time budget was spent`;
    case 'ci-reached':
      return `stopped after ${n} samples: the median's 95% CI narrowed to ${pct(relativeHalfWidth(samples))}${rule.kind === 'ci' ? `, within the ${pct(rule.target)} target` : ''}`;
    case 'ci-gave-up': {
      if (rule.kind !== 'ci') return `gave up after ${n} samples`;
      const maxN = rule.maxIterations ?? CI_RULE_DEFAULTS.maxIterations;
      const maxMs = rule.maxMs ?? CI_RULE_DEFAULTS.maxMs;
      const cap =
        n >= maxN
          ? `the sample cap (${maxN}) was reached`
          : `the time cap (${maxMs / 1000} s) was reached after ${(elapsedMs / 1000).toFixed(1)} s`;
      return `gave up after ${n} samples: the median's 95% CI was still ${pct(relativeHalfWidth(samples))}, wider than the ${pct(rule.target)} target, when ${cap}; the timings vary too much for that target — widen it or raise the cap`;
    }
  }
}
