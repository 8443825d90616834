/**
 * Standardised effect sizes. Baseline-first sign convention: positive values mean the baseline is
 * larger (slower, for times) than the candidate.
 */

import { meanOfSorted, sdOf } from './describe.ts';
import { pairCounts } from './pairs.ts';
import { at, sortSamples, type SampleInput, type SortedSamples } from './samples.ts';

/**
 * Hedges' g of sorted samples: (mean_b − mean_c) / s_pooled · J, with s_pooled the n − 1 pooled
 * SD and J = 1 − 3 / (4(n1 + n2) − 9). Returns 0 where g is undefined: pooled SD of 0 (both
 * samples constant — then look at the speedup CI instead) or n1 + n2 < 3 (no degrees of freedom).
 */
export function hedgesGSorted(b: SortedSamples, c: SortedSamples): number {
  const n1 = b.length;
  const n2 = c.length;
  if (n1 + n2 < 3) {
    return 0;
  }
  // Work on both samples shifted by one of their values: the difference of the means then keeps
  // the precision of the data's spread instead of the ulp of the times themselves (1e6 + tiny
  // noise would otherwise lose most of its digits in m1 − m2). Order is kept, so still sorted.
  const pivot = at(b, 0);
  const shift = (x: SortedSamples): SortedSamples => x.map((v) => v - pivot) as SortedSamples;
  const sb = shift(b);
  const sc = shift(c);
  const m1 = meanOfSorted(sb);
  const m2 = meanOfSorted(sc);
  const s1 = sdOf(sb, m1);
  const s2 = sdOf(sc, m2);
  // SDs near the float limit: scale by the larger one so the squares cannot overflow.
  const f = Math.max(s1, s2) > 2 ** 500 ? 1 / Math.max(s1, s2) : 1;
  const pooled =
    Math.sqrt(((n1 - 1) * (s1 * f) ** 2 + (n2 - 1) * (s2 * f) ** 2) / (n1 + n2 - 2)) / f;
  if (!(pooled > 0)) {
    return 0;
  }
  const j = 1 - 3 / (4 * (n1 + n2) - 9);
  // Halves keep the difference of means finite when they have opposite signs near the limit.
  return ((m1 / 2 - m2 / 2) / (pooled / 2)) * j;
}

/** Hedges' g of `baseline` vs `candidate` (see `hedgesGSorted`). */
export function hedgesG(baseline: SampleInput, candidate: SampleInput): number {
  return hedgesGSorted(sortSamples(baseline, 'baseline'), sortSamples(candidate, 'candidate'));
}

/** Cliff's δ = P(b > c) − P(b < c) over all pairs, from sorted samples in O(n1 + n2). */
export function cliffsDeltaSorted(b: SortedSamples, c: SortedSamples): number {
  const { greater, less } = pairCounts(b, c);
  return (greater - less) / (b.length * c.length);
}

/** Cliff's δ of `baseline` vs `candidate`, in [−1, 1]; O(n log n). */
export function cliffsDelta(baseline: SampleInput, candidate: SampleInput): number {
  return cliffsDeltaSorted(sortSamples(baseline, 'baseline'), sortSamples(candidate, 'candidate'));
}
