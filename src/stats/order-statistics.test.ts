import { describe, expect, it } from 'vitest';
import { countedMedians } from './bootstrap.ts';
import { orderStatisticMedians } from './order-statistics.ts';
import { createRng } from './prng.ts';
import { quantileUnchecked, sortSamples } from './samples.ts';

describe('bootstrap medians from order statistics (large n)', () => {
  for (const n of [2049, 3000]) {
    it(`has the distribution of resampled medians (n = ${n})`, () => {
      const rng = createRng(n);
      const sorted = sortSamples(Array.from({ length: n }, () => Math.exp(0.2 * rng.nextNormal())));
      const a = orderStatisticMedians(sorted, 20_000, createRng(1)).sort();
      const b = countedMedians(sorted, 20_000, createRng(2)).sort();
      const width = quantileUnchecked(b, 0.975) - quantileUnchecked(b, 0.025);
      for (const q of [0.025, 0.16, 0.5, 0.84, 0.975]) {
        // Two Monte Carlo runs of 20,000 agree to a few percent of the CI width.
        expect(
          Math.abs(quantileUnchecked(a, q) - quantileUnchecked(b, q)),
          `q = ${q}`,
        ).toBeLessThan(0.05 * width);
      }
    });
  }
});
