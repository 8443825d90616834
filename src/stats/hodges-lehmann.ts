/**
 * The Hodges–Lehmann shift: the median of all n1·n2 differences b_i − c_j, found without forming
 * them. Sorting both samples makes the differences a sorted matrix (rows by b ascending, columns
 * by c descending), and a randomised selection over it (Monahan 1984, "Algorithm 616") finds any
 * rank in expected O((n1 + n2) log(n1·n2)) time and O(n1 + n2) memory.
 */

import { createRng, type Rng } from './prng.ts';
import { at, midpoint, sortSamples, type SampleInput, type SortedSamples } from './samples.ts';

/** Below this many candidates left, collect them and select directly. */
const DIRECT_LIMIT = 4096;

/** Quickselect: the value of rank k (0-based) in `a`, reordering `a`. */
function selectInPlace(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const pivot = at(a, (lo + hi) >>> 1);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (at(a, i) < pivot) {
        i++;
      }
      while (at(a, j) > pivot) {
        j--;
      }
      if (i <= j) {
        const t = at(a, i);
        a[i] = at(a, j);
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) {
      hi = j;
    } else if (k >= i) {
      lo = i;
    } else {
      return at(a, k);
    }
  }
  return at(a, k);
}

/**
 * A random index in [0, total). nextInt covers totals up to 2^32; beyond (n1·n2 up to 2^53) a
 * 53-bit uniform scaled to the total, whose tiny bias only moves pivots, never the result.
 */
function randomIndex(rng: Rng, total: number): number {
  if (total <= 2 ** 32) {
    return rng.nextInt(total);
  }
  const u = (rng.nextUint32() * 2 ** 21 + (rng.nextUint32() >>> 11)) / 2 ** 53;
  return Math.min(total - 1, Math.floor(u * total));
}

/**
 * The value of rank k (0-based) among all b_i − c_j. Row i holds b_i − c_(n2−1−j) for j = 0..n2−1,
 * ascending in j (floating-point subtraction is monotone, so this holds for computed values too).
 * Each row keeps a window [lo_i, hi_i) of columns that may still hold the answer; a random pivot
 * from the windows is ranked with a staircase walk and the windows shrink to one side of it.
 */
function selectDifference(b: SortedSamples, c: SortedSamples, k: number): number {
  const n1 = b.length;
  const n2 = c.length;
  const diff = (i: number, j: number): number => at(b, i) - at(c, n2 - 1 - j);
  const lo = new Int32Array(n1);
  const hi = new Int32Array(n1).fill(n2);
  const lessCount = new Int32Array(n1);
  const leqCount = new Int32Array(n1);
  // Fixed seed: the pivots only affect speed, never the result.
  const rng = createRng(0x4c);
  let below = 0; // how many differences are known to rank below every remaining candidate
  for (;;) {
    let remaining = 0;
    for (let i = 0; i < n1; i++) {
      remaining += at(hi, i) - at(lo, i);
    }
    if (remaining <= DIRECT_LIMIT) {
      const pool = new Float64Array(remaining);
      let w = 0;
      for (let i = 0; i < n1; i++) {
        for (let j = at(lo, i); j < at(hi, i); j++) {
          pool[w++] = diff(i, j);
        }
      }
      return selectInPlace(pool, k - below);
    }
    // A uniformly random remaining candidate as pivot.
    let r = randomIndex(rng, remaining);
    let row = 0;
    while (r >= at(hi, row) - at(lo, row)) {
      r -= at(hi, row) - at(lo, row);
      row++;
    }
    const pivot = diff(row, at(lo, row) + r);
    // Staircase: in row i, how many columns hold a difference < pivot and ≤ pivot. Both counts
    // fall as i rises (b_i grows), so the column pointers only move left.
    let less = 0;
    let leq = 0;
    let jl = n2;
    let je = n2;
    for (let i = 0; i < n1; i++) {
      while (jl > 0 && diff(i, jl - 1) >= pivot) {
        jl--;
      }
      while (je > 0 && diff(i, je - 1) > pivot) {
        je--;
      }
      lessCount[i] = jl;
      leqCount[i] = je;
      less += jl;
      leq += je;
    }
    if (k < less) {
      for (let i = 0; i < n1; i++) {
        hi[i] = Math.min(at(hi, i), at(lessCount, i));
      }
    } else if (k < leq) {
      return pivot;
    } else {
      below = 0;
      for (let i = 0; i < n1; i++) {
        lo[i] = Math.max(at(lo, i), at(leqCount, i));
        below += at(lo, i);
      }
    }
  }
}

/**
 * Hodges–Lehmann shift from sorted samples: np.median of all b_i − c_j (the mean of the two middle
 * differences when n1·n2 is even). Positive means the baseline is larger than the candidate.
 */
export function hodgesLehmannSorted(b: SortedSamples, c: SortedSamples): number {
  const total = b.length * c.length;
  const k = Math.floor((total - 1) / 2);
  if (total % 2 === 1) {
    return selectDifference(b, c, k);
  }
  const lower = selectDifference(b, c, k);
  return midpoint(lower, rankAfter(b, c, lower, k + 1));
}

/**
 * The value of rank k among all b_i − c_j, given that `v` has rank k − 1: `v` again when more
 * differences equal it, else the smallest difference above it. One O(n1 + n2) staircase instead
 * of a second selection.
 */
function rankAfter(b: SortedSamples, c: SortedSamples, v: number, k: number): number {
  const n2 = c.length;
  let leq = 0;
  let above = Infinity;
  let j = n2; // columns (c descending) with b_i − c_(n2−1−j) ≤ v, per row; falls as b_i grows
  for (let i = 0; i < b.length; i++) {
    const bi = at(b, i);
    while (j > 0 && bi - at(c, n2 - j) > v) {
      j--;
    }
    leq += j;
    if (j < n2) {
      above = Math.min(above, bi - at(c, n2 - 1 - j));
    }
  }
  return leq > k ? v : above;
}

/** Hodges–Lehmann shift of `baseline` vs `candidate` (see `hodgesLehmannSorted`). */
export function hodgesLehmann(baseline: SampleInput, candidate: SampleInput): number {
  return hodgesLehmannSorted(
    sortSamples(baseline, 'baseline'),
    sortSamples(candidate, 'candidate'),
  );
}
