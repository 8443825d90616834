/**
 * Pairwise order counts between two samples in O(n log n) (sorting) + O(n1 + n2) (merging),
 * shared by Cliff's δ and the Mann-Whitney U statistic.
 */

import { at, type SortedSamples } from './samples.ts';

/** How the n1·n2 pairs (b_i, c_j) order: counts of b > c, b = c and b < c. */
export interface PairCounts {
  /** Number of pairs with baseline value > candidate value. */
  greater: number;
  /** Number of pairs with equal values. */
  equal: number;
  /** Number of pairs with baseline value < candidate value. */
  less: number;
}

/** Counts pair orderings with two pointers over the sorted samples. */
export function pairCounts(b: SortedSamples, c: SortedSamples): PairCounts {
  const n1 = b.length;
  const n2 = c.length;
  let below = 0; // #{c < b_i}
  let belowOrEqual = 0; // #{c ≤ b_i}
  let greater = 0;
  let equal = 0;
  for (let i = 0; i < n1; i++) {
    const x = at(b, i);
    while (below < n2 && at(c, below) < x) {
      below++;
    }
    if (belowOrEqual < below) {
      belowOrEqual = below;
    }
    while (belowOrEqual < n2 && at(c, belowOrEqual) <= x) {
      belowOrEqual++;
    }
    greater += below;
    equal += belowOrEqual - below;
  }
  return { greater, equal, less: n1 * n2 - greater - equal };
}

/** Σ (t³ − t) over the groups of tied values in the pooled sample (0 when there are no ties). */
export function tieTerm(b: SortedSamples, c: SortedSamples): number {
  let i = 0;
  let j = 0;
  let term = 0;
  while (i < b.length || j < c.length) {
    // The smallest value not yet visited, then the size of its group across both samples.
    const v = Math.min(i < b.length ? at(b, i) : Infinity, j < c.length ? at(c, j) : Infinity);
    let t = 0;
    while (i < b.length && at(b, i) === v) {
      i++;
      t++;
    }
    while (j < c.length && at(c, j) === v) {
      j++;
      t++;
    }
    term += t * t * t - t;
  }
  return term;
}
