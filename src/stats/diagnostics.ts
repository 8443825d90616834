/**
 * Per-run noise diagnostics that decide whether a verdict can be trusted: timer quantization,
 * lag-1 autocorrelation and a trend (drift) test on the samples in recorded order, bimodality and
 * severe outliers. Rank-based where possible, so one wild sample cannot fake or hide a pattern.
 */

import { meanOf } from './describe.ts';
import { normalCdf } from './normal.ts';
import { tukeyOutliersSorted } from './outliers.ts';
import { at, medianOfSorted, quantileUnchecked, type SortedSamples } from './samples.ts';

/** z above which lag-1 autocorrelation counts as present (one-sided p ≈ 0.0013 under i.i.d.). */
export const AUTOCORRELATION_Z = 3;
/** |z| above which the trend test counts as drift (two-sided p ≈ 0.0027 under i.i.d.). */
export const DRIFT_Z = 3;
/** Fewest samples for the order-based tests (autocorrelation, trend) and the bimodality split. */
export const MIN_ORDER_TESTS = 10;
/**
 * A timer step counts as coarse when it is at least this share of the median: then the median
 * (always a grid value or the midpoint of two) cannot resolve differences of a few percent.
 */
export const QUANTUM_OF_MEDIAN = 0.005;
/** ...or when it is at least this share of the IQR: the noise no longer dithers the grid. */
export const QUANTUM_OF_IQR = 0.5;
/** Fewest identical samples that count as a timer too coarse to see any variation. */
export const MIN_TIED = 5;
/** Between-cluster share of the variance above which a two-cluster split counts as bimodal. */
export const BIMODAL_SHARE = 0.85;
/** Smallest share of the samples the smaller cluster must hold to count as a mode. */
export const BIMODAL_MIN_WEIGHT = 0.1;

/** What the diagnostics found about one run. */
export interface SideDiagnostics {
  /** Number of samples. */
  n: number;
  /** Timer step in ms: the engine's quantum when given, else one detected from ties; 0 if unknown. */
  resolution: number;
  /** Whether `resolution` is coarse against the median or the spread (see QUANTUM_OF_*). */
  quantized: boolean;
  /** Lag-1 autocorrelation of the ranks in recorded order; 0 when n < MIN_ORDER_TESTS. */
  lag1: number;
  /** Whether lag-1 autocorrelation is significant (z = lag1·√n > AUTOCORRELATION_Z). */
  autocorrelated: boolean;
  /** Trend z: Spearman ρ(index, value)·√(n − 1), deflated by the autocorrelation's n_eff. */
  trendZ: number;
  /** Two-sided p-value of the trend test. */
  trendP: number;
  /** Relative change over the run: (median of last third − median of first third) × 1.5 / median. */
  drift: number;
  /** Whether the trend test finds drift (|trendZ| > DRIFT_Z). */
  drifting: boolean;
  /** Whether the samples split into two well-separated clusters. */
  bimodal: boolean;
  /** The two cluster centres (means) when `bimodal`, else null. */
  modes: [number, number] | null;
  /** Number of severe Tukey outliers (beyond 3·IQR from the quartiles); 0 when quantized. */
  severeOutliers: number;
  /** Number of mild Tukey outliers (between 1.5·IQR and 3·IQR); 0 when quantized. */
  mildOutliers: number;
}

/** Ranks 1..n of `values` (ties get their average rank), in the input's order. */
function ranks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => at(values, a) - at(values, b));
  const out = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    const v = at(values, at(order, i));
    while (j + 1 < n && at(values, at(order, j + 1)) === v) {
      j++;
    }
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      out[at(order, k)] = rank;
    }
    i = j + 1;
  }
  return out;
}

/** Lag-1 autocorrelation Σ(x_t − x̄)(x_{t+1} − x̄) / Σ(x_t − x̄)²; 0 for a constant series. */
export function lag1Autocorrelation(x: ArrayLike<number>): number {
  const n = x.length;
  if (n < 3) {
    return 0;
  }
  const m = meanOf(x);
  let num = 0;
  let den = 0;
  for (let t = 0; t < n; t++) {
    const d = at(x, t) - m;
    den += d * d;
    if (t + 1 < n) {
      num += d * (at(x, t + 1) - m);
    }
  }
  return den > 0 ? num / den : 0;
}

/** Pearson correlation of ranks with their positions 1..n (Spearman ρ against time). */
function rankTrend(r: Float64Array): number {
  const n = r.length;
  const mt = (n + 1) / 2;
  const mr = meanOf(r);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let t = 0; t < n; t++) {
    const dx = t + 1 - mt;
    const dy = at(r, t) - mr;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}

/** Median of a slice of recorded-order values. */
function sliceMedian(x: ArrayLike<number>, from: number, to: number): number {
  const part = new Float64Array(to - from);
  for (let i = from; i < to; i++) {
    part[i - from] = at(x, i);
  }
  part.sort();
  return medianOfSorted(part);
}

/**
 * The timer step visible in sorted samples: the smallest gap between distinct values, ignoring
 * gaps below 1e-9 of the median (floating-point noise of tick × period / k). Only reported when
 * ties are common (at most n/2 distinct values, n ≥ 4): continuous timers rarely tie.
 */
export function detectedStep(sorted: SortedSamples): number {
  const n = sorted.length;
  if (n < 4) {
    return 0;
  }
  const floor = Math.abs(medianOfSorted(sorted)) * 1e-9;
  let distinct = 1;
  let step = Infinity;
  for (let i = 1; i < n; i++) {
    const gap = at(sorted, i) - at(sorted, i - 1);
    if (gap > floor) {
      distinct++;
      step = Math.min(step, gap);
    }
  }
  return distinct * 2 <= n && Number.isFinite(step) ? step : 0;
}

/**
 * Best split of sorted values into a low and a high cluster (1-D two-means, exact over all cut
 * points via prefix sums). Returns the between-cluster share of the variance, the weight of the
 * smaller cluster and the two cluster means. Values are centred on the median and scaled first, so
 * sums of squares cannot overflow for times near the float limit.
 */
function bestSplit(sorted: SortedSamples): {
  share: number;
  minWeight: number;
  modes: [number, number];
} {
  const n = sorted.length;
  const centre = medianOfSorted(sorted);
  const scale =
    Math.max(Math.abs(at(sorted, 0) - centre), Math.abs(at(sorted, n - 1) - centre)) || 1;
  const y = new Float64Array(n);
  let total = 0;
  let totalSq = 0;
  for (let i = 0; i < n; i++) {
    const v = (at(sorted, i) - centre) / scale;
    y[i] = v;
    total += v;
    totalSq += v * v;
  }
  const tss = totalSq - (total * total) / n;
  let best = { share: 0, minWeight: 0, modes: [centre, centre] as [number, number] };
  if (!(tss > 0)) {
    return best;
  }
  let left = 0;
  for (let k = 1; k < n; k++) {
    left += at(y, k - 1);
    const right = total - left;
    const between = (left * left) / k + (right * right) / (n - k) - (total * total) / n;
    const share = between / tss;
    if (share > best.share) {
      best = {
        share,
        minWeight: Math.min(k, n - k) / n,
        modes: [centre + (left / k) * scale, centre + (right / (n - k)) * scale],
      };
    }
  }
  return best;
}

/**
 * Diagnoses one run. `samples` must be in recorded order (the order-based tests read it);
 * `sorted` is the same values ascending. `quantumMs` is the engine's known timer quantum, if any.
 */
export function diagnoseSide(
  samples: ArrayLike<number>,
  sorted: SortedSamples,
  quantumMs?: number,
): SideDiagnostics {
  const n = sorted.length;
  const med = medianOfSorted(sorted);
  const iqr = quantileUnchecked(sorted, 0.75) - quantileUnchecked(sorted, 0.25);
  const resolution = quantumMs !== undefined && quantumMs > 0 ? quantumMs : detectedStep(sorted);
  // Many identical times: no timer with resolution to spare repeats a value to the last bit, so
  // the step is at least the (invisible) spread — quantized, with the step unknown.
  const allTied = n >= MIN_TIED && at(sorted, 0) === at(sorted, n - 1);
  const quantized =
    allTied ||
    (resolution > 0 &&
      n >= 2 &&
      (resolution >= QUANTUM_OF_MEDIAN * Math.abs(med) || resolution >= QUANTUM_OF_IQR * iqr));

  let lag1 = 0;
  let trendZ = 0;
  let drift = 0;
  const ordered = n >= MIN_ORDER_TESTS;
  if (ordered) {
    const r = ranks(samples);
    lag1 = lag1Autocorrelation(r);
    // Positive autocorrelation makes neighbouring samples repeat each other: the trend test's
    // variance grows by (1 + φ)/(1 − φ) for AR(1), so deflate z by the effective sample size.
    const phi = Math.min(Math.max(lag1, 0), 0.99);
    trendZ = rankTrend(r) * Math.sqrt(n - 1) * Math.sqrt((1 - phi) / (1 + phi));
    const third = Math.floor(n / 3);
    drift =
      med !== 0
        ? ((sliceMedian(samples, n - third, n) - sliceMedian(samples, 0, third)) * 1.5) / med
        : 0;
  }
  const split = n >= MIN_ORDER_TESTS ? bestSplit(sorted) : null;
  // On a coarse grid two adjacent levels always look like two clusters, and with IQR = 0 every
  // off-grid value looks like an outlier: the quantization warning covers both.
  const modes =
    !quantized &&
    split !== null &&
    split.share > BIMODAL_SHARE &&
    split.minWeight >= BIMODAL_MIN_WEIGHT
      ? split.modes
      : null;
  const outliers = tukeyOutliersSorted(sorted);
  return {
    n,
    resolution,
    quantized,
    lag1,
    autocorrelated: ordered && lag1 * Math.sqrt(n) > AUTOCORRELATION_Z,
    trendZ,
    trendP: ordered ? 2 * normalCdf(-Math.abs(trendZ)) : 1,
    drift: Number.isFinite(drift) ? drift : 0,
    drifting: ordered && Math.abs(trendZ) > DRIFT_Z,
    bimodal: modes !== null,
    modes,
    severeOutliers: quantized ? 0 : outliers.severeLow + outliers.severeHigh,
    mildOutliers: quantized ? 0 : outliers.mildLow + outliers.mildHigh,
  };
}
