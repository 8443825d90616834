/**
 * Standardised effect sizes. Baseline-first sign convention: positive values mean the baseline is
 * larger (slower, for times) than the candidate.
 */

import { meanOfSorted, sdOf } from './describe.ts';
import { pairCounts } from './pairs.ts';
import { sortSamples, type SampleInput, type SortedSamples } from './samples.ts';

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
  const m1 = meanOfSorted(b);
  const m2 = meanOfSorted(c);
  const s1 = sdOf(b, m1);
  const s2 = sdOf(c, m2);
  const pooled = Math.sqrt(((n1 - 1) * s1 * s1 + (n2 - 1) * s2 * s2) / (n1 + n2 - 2));
  if (!(pooled > 0)) {
    return 0;
  }
  const j = 1 - 3 / (4 * (n1 + n2) - 9);
  return ((m1 - m2) / pooled) * j;
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
