/**
 * The windowed block bootstrap returns exactly the medians of the plain algorithm (every block
 * counted in full), draw for draw: with the default window, with a window so narrow that most
 * resamples fall back to the full count, on ties, and on odd and even n.
 */
import { describe, expect, it } from 'vitest';
import { blockBootstrapMedians } from './block-bootstrap.ts';
import { medianFromCounts } from './bootstrap.ts';
import { createRng } from './prng.ts';

/** The algorithm before the window: count every drawn sample's rank, read the median. */
function plainMedians(samples: number[], blockLen: number, resamples: number, seed: number) {
  const n = samples.length;
  const sorted = Float64Array.from(samples).sort();
  const order = samples.map((_, i) => i).sort((a, b) => (samples[a] ?? 0) - (samples[b] ?? 0));
  const rankOf = new Int32Array(n);
  order.forEach((i, r) => {
    rankOf[i] = r;
  });
  const rng = createRng(seed);
  const counts = new Int32Array(n);
  const out: number[] = [];
  for (let b = 0; b < resamples; b++) {
    counts.fill(0);
    let drawn = 0;
    while (drawn < n) {
      let pos = rng.nextInt(n);
      const take = Math.min(blockLen, n - drawn);
      for (let q = 0; q < take; q++) {
        const r = rankOf[pos] ?? 0;
        counts[r] = (counts[r] ?? 0) + 1;
        pos = pos + 1 === n ? 0 : pos + 1;
      }
      drawn += take;
    }
    out.push(medianFromCounts(sorted, counts));
  }
  return out;
}

/** An AR(1) series (φ = 0.9) from a seeded generator, optionally rounded to make ties. */
function series(n: number, seed: number, quantum = 0): number[] {
  const rng = createRng(seed);
  const out: number[] = [];
  let x = 0;
  for (let i = 0; i < n; i++) {
    const z = Math.sqrt(-2 * Math.log(rng.next() + 1e-12)) * Math.cos(2 * Math.PI * rng.next());
    x = 0.9 * x + z;
    const v = 1 + 0.05 * x;
    out.push(quantum > 0 ? Math.round(v / quantum) * quantum : v);
  }
  return out;
}

describe('blockBootstrapMedians', () => {
  const cases: [string, number, number, number, number | undefined][] = [
    // name, n, block length, seed, window half-width (undefined: the default)
    ['odd n, default window', 2001, 13, 1, undefined],
    ['even n, default window', 3000, 20, 2, undefined],
    ['a window so narrow that most resamples recount in full', 5000, 40, 3, 0],
    ['tiny n', 7, 2, 4, undefined],
    ['block as long as n / 3', 30, 10, 5, undefined],
  ];
  for (const [name, n, len, seed, window] of cases) {
    it(`matches the plain algorithm draw for draw: ${name}`, () => {
      const x = series(n, seed);
      const sorted = Float64Array.from(x).sort();
      const got = blockBootstrapMedians(x, sorted, len, 300, createRng(seed + 100), window);
      expect(Array.from(got)).toEqual(plainMedians(x, len, 300, seed + 100));
    });
  }

  it('matches it on heavily tied samples (a coarse timer)', () => {
    const x = series(4000, 9, 0.01);
    const sorted = Float64Array.from(x).sort();
    for (const window of [undefined, 0]) {
      const got = blockBootstrapMedians(x, sorted, 25, 300, createRng(7), window);
      expect(Array.from(got)).toEqual(plainMedians(x, 25, 300, 7));
    }
  });
});
