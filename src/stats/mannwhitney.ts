/**
 * The Mann-Whitney U test, two-sided, reproducing scipy.stats.mannwhitneyu(x, y) with its
 * defaults (method='auto', use_continuity=True) as of scipy 1.17.
 */

import { normalCdf } from './normal.ts';
import { pairCounts, tieTerm } from './pairs.ts';
import { at, sortSamples, type SampleInput, type SortedSamples } from './samples.ts';

/** How the p-value was computed. */
export type MannWhitneyMethod = 'exact' | 'asymptotic';

/** Result of the two-sided Mann-Whitney U test. */
export interface MannWhitneyResult {
  /** U of the first (baseline) sample: #(b > c) + ½·#(b = c), as scipy reports it. */
  u: number;
  /** Two-sided p-value in [0, 1]; exactly 1 when every value in both samples is equal. */
  p: number;
  /** 'exact' when one sample has ≤ 8 values and there are no ties (scipy 'auto'); else normal. */
  method: MannWhitneyMethod;
}

/**
 * Numbers of arrangements giving U = 0..maxU for sample sizes m and n: the coefficients of the
 * Gaussian binomial [m + n choose m]_q = Π_{k=1..m} (1 − q^(n+k)) / (1 − q^k), built one factor
 * at a time on the series truncated at degree maxU. O(m·maxU). Counts beyond 2^53 lose exactness
 * like scipy's float fallback does (relative error ~1e-16).
 */
function uCounts(m: number, n: number, maxU: number): Float64Array {
  const poly = new Float64Array(maxU + 1);
  poly[0] = 1;
  for (let k = 1; k <= m; k++) {
    const up = n + k;
    for (let u = maxU; u >= up; u--) {
      poly[u] = at(poly, u) - at(poly, u - up);
    }
    for (let u = k; u <= maxU; u++) {
      poly[u] = at(poly, u) + at(poly, u - k);
    }
  }
  return poly;
}

/** binom(n + m, m) as a float. */
function binomial(n: number, m: number): number {
  let r = 1;
  for (let k = 1; k <= m; k++) {
    r = (r * (n + k)) / k;
  }
  return r;
}

/** Exact two-sided p for U (the larger of U1, U2) under H0 without ties, as scipy's `_MWU.sf`. */
function exactP(uMax: number, n1: number, n2: number): number {
  const m = Math.min(n1, n2);
  const n = Math.max(n1, n2);
  const kc = n1 * n2 - uMax; // ≤ n1·n2 / 2; by symmetry P(U ≥ uMax) = P(U ≤ kc)
  const counts = uCounts(m, n, kc);
  let cdf = 0;
  for (let u = 0; u <= kc; u++) {
    cdf += at(counts, u);
  }
  return (2 * cdf) / binomial(n, m);
}

/** Mann-Whitney U test on already-sorted samples. */
export function mannWhitneySorted(b: SortedSamples, c: SortedSamples): MannWhitneyResult {
  const n1 = b.length;
  const n2 = c.length;
  const pairs = pairCounts(b, c);
  const u1 = pairs.greater + pairs.equal / 2;
  const u2 = n1 * n2 - u1;
  const u = Math.max(u1, u2);
  const ties = tieTerm(b, c);
  const method: MannWhitneyMethod = (n1 <= 8 || n2 <= 8) && ties === 0 ? 'exact' : 'asymptotic';
  let p: number;
  if (method === 'exact') {
    p = exactP(u, n1, n2);
  } else {
    const n = n1 + n2;
    const s = Math.sqrt(((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1))));
    const numerator = u - (n1 * n2) / 2 - 0.5;
    // s = 0 only when all values are tied, so U is its mean and nothing is evidence: p = 1 (scipy
    // reaches the same through z = −∞ and clipping).
    p = s > 0 ? 2 * normalCdf(-numerator / s) : 1;
  }
  return { u: u1, p: Math.min(1, Math.max(0, p)), method };
}

/**
 * Two-sided Mann-Whitney U test of `baseline` against `candidate`. `u` is the baseline's U exactly
 * as scipy.stats.mannwhitneyu(baseline, candidate).statistic; `p` follows scipy's method='auto'.
 */
export function mannWhitney(baseline: SampleInput, candidate: SampleInput): MannWhitneyResult {
  return mannWhitneySorted(sortSamples(baseline, 'baseline'), sortSamples(candidate, 'candidate'));
}
