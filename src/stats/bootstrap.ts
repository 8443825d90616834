/**
 * Bootstrap confidence intervals: percentile and BCa (Efron & Tibshirani 1993, §14.3 and eq.
 * 15.36), following scipy.stats.bootstrap's formulas so the two agree up to Monte Carlo noise.
 */

import { median } from './describe.ts';
import { normalCdf, normalQuantile } from './normal.ts';
import { ORDER_STATISTIC_MIN_N, orderStatisticMedians } from './order-statistics.ts';
import { createRng, DEFAULT_SEED, type Rng } from './prng.ts';
import {
  at,
  medianOfSorted,
  midpoint,
  quantileUnchecked,
  sortSamples,
  type SampleInput,
} from './samples.ts';

/**
 * A statistic of one sample. It receives a scratch buffer that the bootstrap reuses and may
 * reorder, so it must not keep a reference to it; it must return a finite number.
 */
export type Statistic = (values: Float64Array) => number;

/** How the interval is read off the bootstrap distribution. */
export type CiMethod = 'bca' | 'percentile';

/** A confidence interval [low, high], low ≤ high. */
export type Interval = [low: number, high: number];

/** Options for `bootstrapCI`. */
export interface BootstrapOptions {
  /** The statistic to bootstrap; default `median` (which takes an O(n) fast path). */
  statistic?: Statistic;
  /** Two-sided confidence level in (0, 1); default 0.95. */
  confidence?: number;
  /** Number of bootstrap resamples, an integer ≥ 1; default 10,000. */
  resamples?: number;
  /** 'bca' (default; bias-corrected and accelerated) or 'percentile'. */
  method?: CiMethod;
  /** PRNG seed (any safe integer); default `DEFAULT_SEED`, so results are reproducible. */
  seed?: number;
}

/** Jackknife contributions to the BCa acceleration: Σ U³ / n³ and Σ U² / n² (scipy's form). */
export interface AccelerationTerms {
  /** Σ U_i³ / n³ with U_i = (n − 1)(θ̄ − θ_(i)). */
  num: number;
  /** Σ U_i² / n². */
  den: number;
}

/** Checks the shared confidence/resamples options and returns them with defaults filled in. */
export function resolveBootstrapOptions(options: {
  confidence?: number | undefined;
  resamples?: number | undefined;
  method?: CiMethod | undefined;
  seed?: number | undefined;
}): { confidence: number; resamples: number; method: CiMethod; seed: number } {
  const confidence = options.confidence ?? 0.95;
  const resamples = options.resamples ?? 10_000;
  // Typed callers cannot pass anything else, but JavaScript callers and parsed JSON can.
  const method: unknown = options.method ?? 'bca';
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  }
  if (!(Number.isSafeInteger(resamples) && resamples >= 1)) {
    throw new RangeError(`resamples must be an integer ≥ 1, got ${resamples}`);
  }
  if (method !== 'bca' && method !== 'percentile') {
    throw new RangeError(`method must be 'bca' or 'percentile', got ${String(method)}`);
  }
  return { confidence, resamples, method, seed: options.seed ?? DEFAULT_SEED };
}

/**
 * Medians of `resamples` bootstrap resamples of ascending `sorted`, in O(n) each without sorting:
 * draw n indices, count how often each order statistic was drawn, and walk the counts to the
 * middle rank. Below ORDER_STATISTIC_MIN_N the draws are exactly those the generic path makes,
 * so the result is identical to taking np.median of each resample; from it on, the medians come
 * from order statistics (`orderStatisticMedians`: the same distribution in O(1) per resample —
 * n index draws per resample cost minutes at n = 100,000).
 */
export function bootstrapMedians(sorted: Float64Array, resamples: number, rng: Rng): Float64Array {
  return sorted.length >= ORDER_STATISTIC_MIN_N
    ? orderStatisticMedians(sorted, resamples, rng)
    : countedMedians(sorted, resamples, rng);
}

/** Bootstrap medians by drawing n indices per resample and walking their counts. */
export function countedMedians(sorted: Float64Array, resamples: number, rng: Rng): Float64Array {
  const n = sorted.length;
  const out = new Float64Array(resamples);
  const counts = new Int32Array(n);
  for (let b = 0; b < resamples; b++) {
    counts.fill(0);
    rng.addCounts(counts, n);
    out[b] = medianFromCounts(sorted, counts);
  }
  return out;
}

/**
 * The median of a resample of ascending `sorted` given how often each order statistic was drawn
 * (`counts` sums to n): walk the counts to the middle rank(s).
 */
export function medianFromCounts(sorted: Float64Array, counts: Int32Array): number {
  return medianFromWindowCounts(sorted, counts, 0, 0) ?? Number.NaN;
}

/**
 * The same from the counts of a window of ranks: `counts[j]` is how often `sorted[lo + j]` was
 * drawn, and `below` samples of the resample rank below `lo`. Null when a middle rank of the
 * resample lies outside the window (never for the whole range: lo = 0, below = 0).
 */
export function medianFromWindowCounts(
  sorted: Float64Array,
  counts: Int32Array,
  lo: number,
  below: number,
): number | null {
  const n = sorted.length;
  const odd = n % 2 === 1;
  // 1-based rank of the (lower) middle value of a resample of size n.
  const k = odd ? (n + 1) / 2 : n / 2;
  if (below >= k) return null;
  const w = counts.length;
  let cum = below;
  let j = 0;
  while (j < w && cum + (counts[j] ?? 0) < k) {
    cum += counts[j] ?? 0;
    j++;
  }
  if (j === w) return null;
  const first = at(sorted, lo + j);
  if (odd || cum + (counts[j] ?? 0) > k) {
    // Odd n, or the lower and upper middle ranks fall on the same order statistic.
    return first;
  }
  j++;
  while (j < w && (counts[j] ?? 0) === 0) j++;
  if (j === w) return null;
  return midpoint(first, at(sorted, lo + j));
}

/** Bootstrap distribution of an arbitrary statistic (resampled from `values`). */
function bootstrapGeneric(
  values: Float64Array,
  statistic: Statistic,
  resamples: number,
  rng: Rng,
): Float64Array {
  const n = values.length;
  const out = new Float64Array(resamples);
  const buf = new Float64Array(n);
  const draws = new Int32Array(n);
  for (let b = 0; b < resamples; b++) {
    rng.fillInts(draws, n);
    for (let i = 0; i < n; i++) {
      buf[i] = at(values, at(draws, i));
    }
    out[b] = checkedStatistic(statistic, buf);
  }
  return out;
}

function checkedStatistic(statistic: Statistic, buf: Float64Array): number {
  const v = statistic(buf);
  if (!Number.isFinite(v)) {
    throw new RangeError(`statistic returned ${v}; it must return a finite number`);
  }
  return v;
}

/**
 * Leave-one-out medians of ascending `sorted` (n ≥ 2) in O(n): removing the order statistic at
 * index i shifts the ranks above i down by one, so each median is one or two array reads.
 */
export function jackknifeMedians(sorted: Float64Array): Float64Array {
  const n = sorted.length;
  const m = n - 1;
  const out = new Float64Array(n);
  const get = (k: number, removed: number): number => at(sorted, k < removed ? k : k + 1);
  for (let i = 0; i < n; i++) {
    out[i] = m % 2 === 1 ? get((m - 1) / 2, i) : midpoint(get(m / 2 - 1, i), get(m / 2, i));
  }
  return out;
}

/** Leave-one-out values of an arbitrary statistic (n ≥ 2), O(n²). */
function jackknifeGeneric(values: Float64Array, statistic: Statistic): Float64Array {
  const n = values.length;
  const out = new Float64Array(n);
  const buf = new Float64Array(n - 1);
  for (let i = 0; i < n; i++) {
    let w = 0;
    for (let j = 0; j < n; j++) {
      if (j !== i) {
        buf[w++] = at(values, j);
      }
    }
    out[i] = checkedStatistic(statistic, buf);
  }
  return out;
}

/** BCa acceleration terms from jackknife values θ_(i) (scipy `_bca_interval`). */
export function accelerationTerms(jack: Float64Array): AccelerationTerms {
  const n = jack.length;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += at(jack, i);
  }
  const thetaDot = sum / n;
  let s2 = 0;
  let s3 = 0;
  for (let i = 0; i < n; i++) {
    const u = (n - 1) * (thetaDot - at(jack, i));
    s2 += u * u;
    s3 += u * u * u;
  }
  return { num: s3 / n ** 3, den: s2 / n ** 2 };
}

/** Number of values < x and ≤ x in ascending `sorted`, by binary search. */
function countBelow(sorted: Float64Array, x: number, inclusive: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = at(sorted, mid);
    if (v < x || (inclusive && v === x)) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

/**
 * Reads the interval off a bootstrap distribution (sorted in place). BCa uses the bias correction
 * z0 from the share of resamples below `thetaHat` (ties count half, as scipy does) and the
 * acceleration from jackknife `terms` (summed over samples for multi-sample statistics). When BCa
 * is degenerate — z0 infinite (thetaHat outside the distribution), or the jackknife values all
 * equal so the acceleration is 0/0 — it falls back to the percentile interval instead of
 * returning NaN as scipy does.
 */
export function intervalFromDistribution(
  dist: Float64Array,
  thetaHat: number,
  confidence: number,
  method: CiMethod,
  terms: readonly AccelerationTerms[] | null,
): Interval {
  dist.sort();
  const alpha = (1 - confidence) / 2;
  let a1 = alpha;
  let a2 = 1 - alpha;
  if (method === 'bca' && terms !== null && at(dist, 0) !== at(dist, dist.length - 1)) {
    const b = dist.length;
    const share = (countBelow(dist, thetaHat, false) + countBelow(dist, thetaHat, true)) / (2 * b);
    const z0 = normalQuantile(share);
    let num = 0;
    let den = 0;
    for (const t of terms) {
      num += t.num;
      den += t.den;
    }
    const acc = num / 6 / den ** 1.5;
    if (Number.isFinite(z0) && Number.isFinite(acc)) {
      const zAlpha = normalQuantile(alpha);
      const n1 = z0 + zAlpha;
      const n2 = z0 - zAlpha;
      const b1 = normalCdf(z0 + n1 / (1 - acc * n1));
      const b2 = normalCdf(z0 + n2 / (1 - acc * n2));
      if (Number.isFinite(b1) && Number.isFinite(b2)) {
        a1 = Math.min(b1, b2);
        a2 = Math.max(b1, b2);
      }
    }
  }
  return [quantileUnchecked(dist, a1), quantileUnchecked(dist, a2)];
}

/**
 * Bootstrap confidence interval of a statistic of one sample (default: the median, BCa, 95%,
 * 10,000 resamples). Deterministic: the same samples, options and seed give the same interval.
 * A constant sample, or n = 1, gives [c, c]. Throws on empty or non-finite input.
 */
export function bootstrapCI(samples: SampleInput, options: BootstrapOptions = {}): Interval {
  const { confidence, resamples, method, seed } = resolveBootstrapOptions(options);
  const statistic = options.statistic ?? median;
  // Resample from the sorted copy: bootstrap draws are i.i.d., so order does not matter, and it
  // lets the median fast path and the generic path see exactly the same resamples.
  const sorted = sortSamples(samples, 'samples');
  const n = sorted.length;
  const rng = createRng(seed);
  const fast = statistic === median;
  const thetaHat = fast ? medianOfSorted(sorted) : checkedStatistic(statistic, sorted.slice());
  if (at(sorted, 0) === at(sorted, n - 1)) {
    // Every resample equals the sample; an interval of width 0 is the honest answer.
    return [thetaHat, thetaHat];
  }
  const dist = fast
    ? bootstrapMedians(sorted, resamples, rng)
    : bootstrapGeneric(sorted, statistic, resamples, rng);
  const terms =
    method === 'bca'
      ? [accelerationTerms(fast ? jackknifeMedians(sorted) : jackknifeGeneric(sorted, statistic))]
      : null;
  return intervalFromDistribution(dist, thetaHat, confidence, method, terms);
}
