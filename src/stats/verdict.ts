/** The verdict on a comparison, read from the speedup CI against a practical-equivalence margin. */

import type { Interval } from './bootstrap.ts';

/**
 * What the data say about the candidate relative to the baseline: 'faster' or 'slower' when the
 * speedup CI excludes 1 and is not inside the equivalence band; 'same' when it lies inside the
 * band; 'inconclusive' when it straddles 1 and reaches outside the band.
 */
export type Verdict = 'faster' | 'slower' | 'same' | 'inconclusive';

/** Default practical-equivalence margin: speedups within ±2% count as the same. */
export const DEFAULT_MARGIN = 0.02;

/** The equivalence band [1/(1 + m), 1 + m] for margin m ≥ 0 (symmetric on a log scale). */
export function equivalenceBand(margin: number): Interval {
  if (!(margin >= 0 && Number.isFinite(margin))) {
    throw new RangeError(`margin must be a finite number ≥ 0, got ${margin}`);
  }
  return [1 / (1 + margin), 1 + margin];
}

/**
 * The verdict from a speedup CI [lo, hi] (speedup = baseline median / candidate median, so > 1
 * means the candidate is faster): 'same' when lo ≥ 1/(1 + m) and hi ≤ 1 + m; otherwise 'faster'
 * when lo > 1, 'slower' when hi < 1, else 'inconclusive'.
 */
export function verdictFromSpeedupCI(ci: Interval, margin: number = DEFAULT_MARGIN): Verdict {
  const [lo, hi] = ci;
  const [bandLo, bandHi] = equivalenceBand(margin);
  if (lo >= bandLo && hi <= bandHi) {
    return 'same';
  }
  if (lo > 1) {
    return 'faster';
  }
  if (hi < 1) {
    return 'slower';
  }
  return 'inconclusive';
}
