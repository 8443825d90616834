/** `compare()`: everything attnlab reports about a baseline and a candidate set of timings. */

import {
  accelerationTerms,
  bootstrapMedians,
  intervalFromDistribution,
  jackknifeMedians,
  resolveBootstrapOptions,
  type AccelerationTerms,
  type CiMethod,
  type Interval,
} from './bootstrap.ts';
import {
  ar1Inflation,
  blockBootstrapMedians,
  blockLength,
  floorSpread,
} from './block-bootstrap.ts';
import type { ProblemConfig } from './config-diff.ts';
import { describeSorted, type Description } from './describe.ts';
import { diagnoseSide, type SideDiagnostics } from './diagnostics.ts';
import { cliffsDeltaSorted, hedgesGSorted } from './effect.ts';
import { hodgesLehmannSorted } from './hodges-lehmann.ts';
import { mannWhitneySorted, type MannWhitneyResult } from './mannwhitney.ts';
import { tukeyOutliersSorted, type TukeyOutliers } from './outliers.ts';
import { createRng, deriveSeed } from './prng.ts';
import {
  at,
  medianOfSorted,
  sortSamples,
  type SampleInput,
  type SortedSamples,
} from './samples.ts';
import { summarize } from './summary.ts';
import { DEFAULT_MARGIN, equivalenceBand, verdictFromSpeedupCI, type Verdict } from './verdict.ts';
import { guardVerdict, widenForDrift } from './guards.ts';
import type { StatWarning } from './warnings.ts';

/** Options for `compare`. */
export interface CompareOptions {
  /** Two-sided confidence level of every CI, in (0, 1); default 0.95. */
  confidence?: number;
  /** Bootstrap resamples per CI; default 10,000. */
  resamples?: number;
  /** Bootstrap CI method for the medians and the speedup; default 'bca'. */
  method?: CiMethod;
  /** PRNG seed; default `DEFAULT_SEED`. The baseline uses `seed`, the candidate a derived one. */
  seed?: number;
  /** Practical-equivalence margin m: speedups in [1/(1 + m), 1 + m] are 'same'; default 0.02. */
  margin?: number;
  /** Unit of the samples for the summary paragraph; default 'ms'. */
  unit?: string;
  /** Names for the summary paragraph; default 'baseline' and 'candidate'. */
  labels?: { baseline: string; candidate: string };
  /** The baseline's problem config (defaults filled in); compared with `candidateConfig`. */
  baselineConfig?: ProblemConfig | undefined;
  /** The candidate's problem config (defaults filled in). */
  candidateConfig?: ProblemConfig | undefined;
  /**
   * Judge even when the configs differ (the verdict is then a cross-config comparison, see
   * `crossConfig`); default false: differing configs give 'inconclusive' with a reason.
   */
  allowDifferentConfig?: boolean | undefined;
  /** Known timer quantum in ms of each side's engine (e.g. WebGPU's), used to detect quantization. */
  quantumMs?: { baseline?: number | undefined; candidate?: number | undefined } | undefined;
}

/** Descriptives of one side plus the bootstrap CI of its median. */
export type SideSummary = Description & {
  /** CI of the median (BCa unless `method: 'percentile'`). */
  ci: Interval;
};

/** Speedup of the candidate over the baseline. */
export interface Speedup {
  /** median(baseline) / median(candidate): > 1 means the candidate is faster. */
  estimate: number;
  /**
   * Bootstrap CI of the ratio: each sample resampled independently (the same resamples that give
   * the two median CIs), BCa by default with the jackknife acceleration summed over both samples
   * as scipy.stats.bootstrap does for multi-sample statistics.
   */
  ci: Interval;
}

/** The full comparison of a candidate against a baseline. Every number is finite. */
export interface ComparisonResult {
  /** Baseline descriptives and CI of its median. */
  baseline: SideSummary;
  /** Candidate descriptives and CI of its median. */
  candidate: SideSummary;
  /** Speedup estimate and CI. */
  speedup: Speedup;
  /** Hodges–Lehmann shift: median of all baseline_i − candidate_j (positive: baseline larger). */
  hodgesLehmann: number;
  /** Hedges' g, baseline-first (positive: baseline larger); 0 when undefined (see `hedgesG`). */
  hedgesG: number;
  /** Cliff's δ = P(b > c) − P(b < c) (positive: baseline larger). */
  cliffsDelta: number;
  /** Two-sided Mann-Whitney U test, scipy-compatible. */
  mannWhitney: MannWhitneyResult;
  /** Tukey outlier classes of each side. */
  outliers: {
    /** Baseline outliers. */
    baseline: TukeyOutliers;
    /** Candidate outliers. */
    candidate: TukeyOutliers;
  };
  /**
   * Candidate relative to baseline, from the speedup CI and the margin; 'inconclusive' whatever
   * the CI when a guard applies (too few samples, differing configs not allowed, a 'same' that
   * only the timer's resolution produced) — `verdictReason` says which.
   */
  verdict: Verdict;
  /** Why a guard forced the verdict to 'inconclusive'; null when the CI alone decided it. */
  verdictReason: string | null;
  /** True when the two configs differ and `allowDifferentConfig` let the comparison through. */
  crossConfig: boolean;
  /** What may make the numbers above misleading, most serious first (see `StatWarningCode`). */
  warnings: StatWarning[];
  /** A plain-language paragraph with the figures above, fit to quote. */
  summary: string;
}

/** Speedup is a ratio of medians, so every time must be positive. */
function requirePositive(sorted: SortedSamples, name: string): void {
  if (at(sorted, 0) <= 0) {
    throw new RangeError(
      `${name}: compare() needs positive times (speedup is a ratio), but the smallest sample is ${at(sorted, 0)}`,
    );
  }
}

/**
 * Bootstrap medians of one side, and its jackknife medians (null when n = 1, constant, or
 * block-resampled: the jackknife's acceleration assumes independent samples).
 */
function resampleSide(
  samples: SampleInput,
  sorted: SortedSamples,
  diag: SideDiagnostics,
  resamples: number,
  seed: number,
): { dist: Float64Array; jack: Float64Array | null } {
  const n = sorted.length;
  if (at(sorted, 0) === at(sorted, n - 1)) {
    // Every resample of a constant sample is the sample itself; no draws needed.
    return { dist: new Float64Array(resamples).fill(at(sorted, 0)), jack: null };
  }
  if (diag.autocorrelated) {
    const len = blockLength(n, diag.lag1);
    const dist = blockBootstrapMedians(samples, sorted, len, resamples, createRng(seed));
    const iid = bootstrapMedians(sorted, resamples, createRng(deriveSeed(seed, 2)));
    floorSpread(dist, iid, medianOfSorted(sorted), ar1Inflation(diag.lag1, n));
    return { dist, jack: null };
  }
  return {
    dist: bootstrapMedians(sorted, resamples, createRng(seed)),
    jack: jackknifeMedians(sorted),
  };
}

/** Jackknife values of the ratio when one side's observations are left out. */
function ratioTerms(
  jack: Float64Array | null,
  toRatio: (m: number) => number,
): AccelerationTerms[] {
  if (jack === null) {
    return [];
  }
  const values = new Float64Array(jack.length);
  for (let i = 0; i < jack.length; i++) {
    values[i] = toRatio(at(jack, i));
  }
  return [accelerationTerms(values)];
}

/**
 * Compares `candidate` timings against `baseline` timings (both positive, finite, non-empty):
 * descriptives, median CIs, speedup with CI, effect sizes, Mann-Whitney U, outliers, verdict and a
 * summary paragraph. Deterministic for a given seed. `compare(b, c, { seed }).baseline.ci` equals
 * `bootstrapCI(b, { seed })` with the same confidence, resamples and method.
 */
export function compare(
  baseline: SampleInput,
  candidate: SampleInput,
  options: CompareOptions = {},
): ComparisonResult {
  const { confidence, resamples, method: askedMethod, seed } = resolveBootstrapOptions(options);
  const margin = options.margin ?? DEFAULT_MARGIN;
  equivalenceBand(margin); // validates the margin before any work
  const b = sortSamples(baseline, 'baseline');
  const c = sortSamples(candidate, 'candidate');
  requirePositive(b, 'baseline');
  requirePositive(c, 'candidate');
  const db = describeSorted(b);
  const dc = describeSorted(c);
  const diagB = diagnoseSide(baseline, b, options.quantumMs?.baseline);
  const diagC = diagnoseSide(candidate, c, options.quantumMs?.candidate);
  // Dependent samples: block bootstrap and percentile intervals (BCa needs i.i.d. jackknives).
  const dependent = diagB.autocorrelated || diagC.autocorrelated;
  const method: CiMethod = dependent ? 'percentile' : askedMethod;

  const sb = resampleSide(baseline, b, diagB, resamples, seed);
  const sc = resampleSide(candidate, c, diagC, resamples, deriveSeed(seed, 1));
  // Ratios first: intervalFromDistribution sorts its input in place.
  const ratios = new Float64Array(resamples);
  for (let k = 0; k < resamples; k++) {
    ratios[k] = at(sb.dist, k) / at(sc.dist, k);
  }
  const bca = method === 'bca';
  const termsOf = (jack: Float64Array | null): AccelerationTerms[] | null =>
    bca && jack !== null ? [accelerationTerms(jack)] : null;
  const ciB = intervalFromDistribution(sb.dist, db.median, confidence, method, termsOf(sb.jack));
  const ciC = intervalFromDistribution(sc.dist, dc.median, confidence, method, termsOf(sc.jack));
  const estimate = db.median / dc.median;
  const ratioAccel = bca
    ? [...ratioTerms(sb.jack, (m) => m / dc.median), ...ratioTerms(sc.jack, (m) => db.median / m)]
    : null;
  const speedupCI = widenForDrift(
    intervalFromDistribution(ratios, estimate, confidence, method, ratioAccel),
    diagB,
    diagC,
  );

  const guard = guardVerdict(verdictFromSpeedupCI(speedupCI, margin), diagB, diagC, options);
  const result = {
    baseline: { ...db, ci: ciB },
    candidate: { ...dc, ci: ciC },
    speedup: { estimate, ci: speedupCI },
    hodgesLehmann: hodgesLehmannSorted(b, c),
    hedgesG: hedgesGSorted(b, c),
    cliffsDelta: cliffsDeltaSorted(b, c),
    mannWhitney: mannWhitneySorted(b, c),
    outliers: { baseline: tukeyOutliersSorted(b), candidate: tukeyOutliersSorted(c) },
    verdict: guard.verdict,
    verdictReason: guard.reason,
    crossConfig: guard.crossConfig,
    warnings: guard.warnings,
  };
  const summary = summarize({
    ...result,
    confidence,
    resamples,
    method,
    margin,
    unit: options.unit ?? 'ms',
    labels: options.labels ?? { baseline: 'baseline', candidate: 'candidate' },
  });
  return { ...result, summary };
}
