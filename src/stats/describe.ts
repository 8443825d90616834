/** Descriptive statistics of one sample, matching numpy's definitions. */

import {
  at,
  medianOfSorted,
  quantileUnchecked,
  requireSamples,
  sortSamples,
  type SampleInput,
  type SortedSamples,
} from './samples.ts';

/** Summary of one sample. Every field is finite for any valid input (n ≥ 1, finite values). */
export interface Description {
  /** Number of samples. */
  n: number;
  /** Arithmetic mean. */
  mean: number;
  /** Median (numpy: mean of the two middle values when n is even). */
  median: number;
  /** Sample standard deviation with the n − 1 denominator (numpy ddof=1); 0 when n = 1. */
  sd: number;
  /** Median absolute deviation from the median, raw: NOT scaled by 1.4826 to estimate σ. */
  mad: number;
  /** Interquartile range p75 − p25 (numpy 'linear' percentiles). */
  iqr: number;
  /** Smallest sample. */
  min: number;
  /** Largest sample. */
  max: number;
  /** 5th percentile (numpy 'linear'). */
  p05: number;
  /** 95th percentile (numpy 'linear'). */
  p95: number;
  /** 99th percentile (numpy 'linear'). */
  p99: number;
}

/**
 * Σ values·factor with Neumaier's compensated summation: the rounding error of each addition is
 * carried separately, so 1e6-sized values keep the low bits of their noise (a plain running sum
 * loses them, and every statistic built on the mean inherits the error).
 */
function compensatedSum(values: ArrayLike<number>, factor: number): number {
  let sum = 0;
  let carry = 0;
  for (let i = 0; i < values.length; i++) {
    const v = at(values, i) * factor;
    const t = sum + v;
    carry += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  return sum + carry;
}

/**
 * Arithmetic mean of validated values (compensated sum; no validation). When the sum of values
 * near the float limit overflows, the values are summed scaled by 2⁻⁶⁴ (exact for normal
 * numbers) and the mean, which is no larger than the largest value, is scaled back.
 */
export function meanOf(values: ArrayLike<number>): number {
  const n = values.length;
  const sum = compensatedSum(values, 1);
  if (Number.isFinite(sum)) {
    return sum / n;
  }
  return (compensatedSum(values, 2 ** -64) / n) * 2 ** 64;
}

/** Mean of sorted samples; for a constant sample the constant itself, not a rounded sum / n. */
export function meanOfSorted(sorted: SortedSamples): number {
  const min = at(sorted, 0);
  return min === at(sorted, sorted.length - 1) ? min : meanOf(sorted);
}

/** Arithmetic mean. Throws on empty or non-finite input. */
export function mean(samples: SampleInput): number {
  return meanOf(requireSamples(samples, 'samples'));
}

/** Median, as np.median. Throws on empty or non-finite input. */
export function median(samples: SampleInput): number {
  return medianOfSorted(sortSamples(samples));
}

/**
 * Sample standard deviation (n − 1 denominator, two-pass). Returns exactly 0 when n = 1 or when
 * all values are equal, where a naive formula could leave rounding noise.
 */
export function sdOf(sorted: SortedSamples, m: number): number {
  const n = sorted.length;
  if (n < 2 || at(sorted, 0) === at(sorted, n - 1)) {
    return 0;
  }
  // Squares of deviations above ~1e154 overflow: then work on values scaled by 2⁻⁵¹² (exact).
  const big = Math.max(Math.abs(at(sorted, 0)), Math.abs(at(sorted, n - 1))) > 2 ** 500;
  const f = big ? 2 ** -512 : 1;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = at(sorted, i) * f - m * f;
    ss += d * d;
  }
  return Math.sqrt(ss / (n - 1)) / f;
}

/** Median absolute deviation |x − median| of ascending values, in O(n log n). */
function madOf(sorted: SortedSamples, med: number): number {
  const dev = new Float64Array(sorted.length);
  for (let i = 0; i < sorted.length; i++) {
    dev[i] = Math.abs(at(sorted, i) - med);
  }
  dev.sort();
  return medianOfSorted(dev);
}

/** Describes already-sorted samples (no copy, no validation beyond the brand). */
export function describeSorted(sorted: SortedSamples): Description {
  const n = sorted.length;
  const min = at(sorted, 0);
  const max = at(sorted, n - 1);
  const m = meanOfSorted(sorted);
  const med = medianOfSorted(sorted);
  return {
    n,
    mean: m,
    median: med,
    sd: sdOf(sorted, m),
    mad: madOf(sorted, med),
    iqr: quantileUnchecked(sorted, 0.75) - quantileUnchecked(sorted, 0.25),
    min,
    max,
    p05: quantileUnchecked(sorted, 0.05),
    p95: quantileUnchecked(sorted, 0.95),
    p99: quantileUnchecked(sorted, 0.99),
  };
}

/**
 * Descriptive statistics of `samples`. Throws a RangeError naming `name` (default "samples") when
 * the input is empty or holds a non-finite value.
 */
export function describe(samples: SampleInput, name = 'samples'): Description {
  return describeSorted(sortSamples(samples, name));
}
