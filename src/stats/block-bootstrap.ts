/**
 * Circular block bootstrap of the median (Politis & Romano 1992) for autocorrelated samples:
 * resampling whole blocks of consecutive samples keeps their dependence, so the interval is as
 * wide as the data's real information allows, where the i.i.d. bootstrap would be too narrow.
 */

import { medianFromCounts } from './bootstrap.ts';
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
 * (wrapping around), cut to n, and its median is read from rank counts in O(n) without sorting.
 */
export function blockBootstrapMedians(
  samples: ArrayLike<number>,
  sorted: Float64Array,
  blockLen: number,
  resamples: number,
  rng: Rng,
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
  const out = new Float64Array(resamples);
  const counts = new Int32Array(n);
  for (let b = 0; b < resamples; b++) {
    counts.fill(0);
    let drawn = 0;
    while (drawn < n) {
      let pos = rng.nextInt(n);
      const take = Math.min(blockLen, n - drawn);
      for (let k = 0; k < take; k++) {
        const r = at(rankOf, pos);
        counts[r] = at(counts, r) + 1;
        pos = pos + 1 === n ? 0 : pos + 1;
      }
      drawn += take;
    }
    out[b] = medianFromCounts(sorted, counts);
  }
  return out;
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
