/**
 * Bootstrap medians of large samples in O(1) per resample. The median of a resample of n draws
 * from sorted x is x at the k-th smallest drawn index, and the k-th smallest of n i.i.d. uniform
 * indices is ⌊n·U₍ₖ₎⌋ where U₍ₖ₎ ~ Beta(k, n − k + 1) is the k-th order statistic of n uniforms
 * (the map u ↦ ⌊n·u⌋ is monotone). So one Beta draw replaces n index draws, with exactly the
 * same distribution; the next order statistic is U₍ₖ₎ + (1 − U₍ₖ₎)·(1 − V^(1/(n − k))).
 */

import type { Rng } from './prng.ts';
import { at, midpoint } from './samples.ts';

/** From this many samples on, `bootstrapMedians` draws order statistics instead of indices. */
export const ORDER_STATISTIC_MIN_N = 2048;

/** A uniform in (0, 1): never 0, so logs and powers stay finite. */
function openUniform(rng: Rng): number {
  return (rng.nextUint32() + 0.5) / 4294967296;
}

/** Gamma(a, 1) for a ≥ 1 (Marsaglia & Tsang 2000, squeeze and log acceptance). */
function gamma(rng: Rng, a: number): number {
  const d = a - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = rng.nextNormal();
    const t = 1 + c * x;
    if (t <= 0) {
      continue;
    }
    const v = t * t * t;
    const u = openUniform(rng);
    if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
      return d * v;
    }
  }
}

/** Beta(a, b) for a, b ≥ 1, as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b). */
function beta(rng: Rng, a: number, b: number): number {
  const x = gamma(rng, a);
  return x / (x + gamma(rng, b));
}

/**
 * Bootstrap medians (np.median of each resample) of ascending `sorted` (n ≥ 2), drawn through the
 * middle order statistics: O(resamples) instead of O(n·resamples). Same distribution as
 * resampling indices, different random stream.
 */
export function orderStatisticMedians(
  sorted: Float64Array,
  resamples: number,
  rng: Rng,
): Float64Array {
  const n = sorted.length;
  const odd = n % 2 === 1;
  const k = odd ? (n + 1) / 2 : n / 2;
  const out = new Float64Array(resamples);
  const index = (u: number): number => Math.min(n - 1, Math.floor(n * u));
  for (let r = 0; r < resamples; r++) {
    const uk = beta(rng, k, n - k + 1);
    if (odd) {
      out[r] = at(sorted, index(uk));
    } else {
      const next = uk + (1 - uk) * (1 - openUniform(rng) ** (1 / (n - k)));
      out[r] = midpoint(at(sorted, index(uk)), at(sorted, index(next)));
    }
  }
  return out;
}
