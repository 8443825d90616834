/**
 * Circular block bootstrap of the median (Politis & Romano 1992) for autocorrelated samples:
 * resampling whole blocks of consecutive samples keeps their dependence, so the interval is as
 * wide as the data's real information allows, where the i.i.d. bootstrap would be too narrow.
 */

import { medianFromCounts, medianFromWindowCounts } from './bootstrap.ts';
import type { Rng } from './prng.ts';
import { at } from './samples.ts';

/**
 * Block length for lag-1 autocorrelation φ: the larger of n^(1/3) (the usual rate for
 * variance-type statistics) and 2(1 + φ)/(1 − φ) (twice the AR(1) variance inflation, so a block
 * spans the memory of the series), at most n / 3 so a resample still mixes three blocks.
 */
export function blockLength(n: number, phi: number): number {
  const p = Math.min(Math.max(phi, 0), 0.98);
  const memory = (2 * (1 + p)) / (1 - p);
  return Math.max(1, Math.min(Math.floor(n / 3), Math.ceil(Math.max(Math.cbrt(n), memory))));
}

/**
 * Medians of `resamples` circular block bootstrap resamples. `samples` are in recorded order,
 * `sorted` the same values ascending; each resample is ⌈n/ℓ⌉ blocks of ℓ consecutive samples
 * (wrapping around), cut to n.
 *
 * A resample's median depends only on how many drawn samples rank below a window around the
 * middle rank and on the exact counts inside it. So the ranks below the window are counted per
 * block from prefix sums, only the samples whose rank falls in the window are visited, and the
 * median is read from the window's counts: O(n/ℓ + w) per resample instead of O(n), where
 * w ≈ n·(window share). A resample whose median leaves the window (beyond ~8 standard
 * deviations of its rank) is recounted in full from the same blocks, so the result is exactly
 * the plain algorithm's, draw for draw. `windowHalfWidth` (ranks each side of the middle) is
 * for tests; by default it is 8·√(n·ℓ)/2, the spread of a block resample's median rank.
 */
export function blockBootstrapMedians(
  samples: ArrayLike<number>,
  sorted: Float64Array,
  blockLen: number,
  resamples: number,
  rng: Rng,
  windowHalfWidth?: number,
): Float64Array {
  const n = sorted.length;
  // Rank (index into sorted) of each sample in recorded order; ties share consecutive ranks,
  // which leaves every resample's median unchanged.
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => at(samples, a) - at(samples, b));
  const rankOf = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    rankOf[at(order, r)] = r;
  }
  // The window: `half` ranks each side of the middle two (0-based ranks mid and mid + 1).
  const mid = Math.floor((n - 1) / 2);
  const half = Math.max(16, Math.ceil(windowHalfWidth ?? 4 * Math.sqrt(n * Math.max(1, blockLen))));
  const lo = Math.max(0, mid - half);
  const hi = Math.min(n, mid + 2 + half);
  // Over the positions of the series written twice (a block may wrap): how many ranks below the
  // window precede each position, and the positions whose rank is inside it.
  const belowBefore = new Int32Array(2 * n + 1);
  const insideBefore = new Int32Array(2 * n + 1);
  const inside: number[] = [];
  for (let q = 0; q < 2 * n; q++) {
    const r = at(rankOf, q < n ? q : q - n);
    belowBefore[q + 1] = at(belowBefore, q) + (r < lo ? 1 : 0);
    const isIn = r >= lo && r < hi;
    insideBefore[q + 1] = at(insideBefore, q) + (isIn ? 1 : 0);
    if (isIn) inside.push(r - lo);
  }
  const insideRank = Int32Array.from(inside);
  const counts = new Int32Array(hi - lo);
  const fullCounts = new Int32Array(n);
  const starts = new Int32Array(Math.ceil(n / Math.max(1, blockLen)) + 1);
  const out = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    counts.fill(0);
    let below = 0;
    let drawn = 0;
    let blocks = 0;
    while (drawn < n) {
      const pos = rng.nextInt(n);
      const take = Math.min(blockLen, n - drawn);
      starts[blocks++] = pos;
      // The hot loop indexes typed arrays directly (`?? 0` never applies: every index is in
      // range); the checked `at` made it 3× slower.
      below += (belowBefore[pos + take] ?? 0) - (belowBefore[pos] ?? 0);
      const end = insideBefore[pos + take] ?? 0;
      for (let i = insideBefore[pos] ?? 0; i < end; i++) {
        const r = insideRank[i] ?? 0;
        counts[r] = (counts[r] ?? 0) + 1;
      }
      drawn += take;
    }
    const m = medianFromWindowCounts(sorted, counts, lo, below);
    out[b] = m ?? medianOfBlocks(sorted, rankOf, fullCounts, starts, blocks, blockLen);
  }
  return out;
}

/** The plain O(n) count of one resample's blocks, for a median outside the window. */
function medianOfBlocks(
  sorted: Float64Array,
  rankOf: Int32Array,
  counts: Int32Array,
  starts: Int32Array,
  blocks: number,
  blockLen: number,
): number {
  const n = sorted.length;
  counts.fill(0);
  let drawn = 0;
  for (let s = 0; s < blocks; s++) {
    let pos = at(starts, s);
    const take = Math.min(blockLen, n - drawn);
    for (let q = 0; q < take; q++) {
      const r = at(rankOf, pos);
      counts[r] = at(counts, r) + 1;
      pos = pos + 1 === n ? 0 : pos + 1;
    }
    drawn += take;
  }
  return medianFromCounts(sorted, counts);
}

/**
 * AR(1) variance inflation (1 + φ)/(1 − φ) for lag-1 autocorrelation r of n samples, with r
 * first corrected for its downward small-sample bias (E[r] ≈ φ − (1 + 4φ)/n, Marriott & Pope
 * 1954) and capped at φ = 0.98.
 */
export function ar1Inflation(r: number, n: number): number {
  const phi = Math.min(0.98, Math.max(0, r + (1 + 4 * r) / n));
  return (1 + phi) / (1 - phi);
}

function sdAround(dist: Float64Array, centre: number): number {
  let ss = 0;
  for (let i = 0; i < dist.length; i++) {
    const d = at(dist, i) - centre;
    ss += d * d;
  }
  return Math.sqrt(ss / dist.length);
}

/**
 * With few blocks (strong autocorrelation, short runs) the block bootstrap is still too narrow.
 * Floor its spread at the i.i.d. bootstrap's spread times √(AR(1) inflation): the deviations of
 * `block` from `centre` are scaled up (in place) when they fall short of that floor.
 */
export function floorSpread(
  block: Float64Array,
  iid: Float64Array,
  centre: number,
  inflation: number,
): void {
  const have = sdAround(block, centre);
  const want = sdAround(iid, centre) * Math.sqrt(inflation);
  if (have > 0 && want > have) {
    const f = want / have;
    for (let i = 0; i < block.length; i++) {
      block[i] = centre + (at(block, i) - centre) * f;
    }
  }
}
