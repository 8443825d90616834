import { describe, expect, it } from 'vitest';
import { bootstrapCI } from './bootstrap.ts';
import { compare } from './compare.ts';
import { mean, median } from './describe.ts';
import { createRng, deriveSeed } from './prng.ts';

const rng = createRng(77);
const xs = Array.from({ length: 301 }, () => Math.exp(0.2 * rng.nextNormal()));
const ys = Array.from({ length: 240 }, () => 0.95 * Math.exp(0.2 * rng.nextNormal()));

describe('bootstrap determinism', () => {
  it('same seed gives the identical interval; other seeds (generally) differ', () => {
    for (const method of ['bca', 'percentile'] as const) {
      const a = bootstrapCI(xs, { seed: 5, method });
      expect(bootstrapCI(xs, { seed: 5, method })).toEqual(a);
      // Bootstrap medians of an odd-sized sample are sample values, so nearby seeds often pick
      // the same order statistics as CI ends; the mean's distribution is continuous.
      const opts = { method, statistic: mean, resamples: 2000 };
      const m = bootstrapCI(xs, { ...opts, seed: 5 });
      expect(bootstrapCI(xs, { ...opts, seed: 5 })).toEqual(m);
      const others = [6, 7, 8].map((seed) => bootstrapCI(xs, { ...opts, seed }));
      for (const o of others) {
        expect(o).not.toEqual(m);
      }
    }
  });

  it('compare() is deterministic and its median CIs are bootstrapCI with seed / derived seed', () => {
    const r1 = compare(xs, ys, { seed: 42 });
    const r2 = compare(xs, ys, { seed: 42 });
    expect(r2).toEqual(r1);
    expect(r1.baseline.ci).toEqual(bootstrapCI(xs, { seed: 42 }));
    expect(r1.candidate.ci).toEqual(bootstrapCI(ys, { seed: deriveSeed(42, 1) }));
    expect(compare(xs, ys, { seed: 43 }).speedup.ci).not.toEqual(r1.speedup.ci);
  });

  it('the O(n) median fast path equals the generic path on the same draws', () => {
    for (const data of [xs, ys, [3, 1, 2, 2, 5, 1]]) {
      for (const method of ['bca', 'percentile'] as const) {
        const viaWrapper = bootstrapCI(data, {
          seed: 3,
          method,
          resamples: 2000,
          statistic: (v) => median(v),
        });
        expect(bootstrapCI(data, { seed: 3, method, resamples: 2000 })).toEqual(viaWrapper);
      }
    }
  });

  it('bootstraps other statistics, e.g. the mean, around the estimate', () => {
    const [lo, hi] = bootstrapCI(xs, { statistic: mean, resamples: 2000, seed: 1 });
    expect(lo).toBeLessThan(mean(xs));
    expect(hi).toBeGreaterThan(mean(xs));
  });

  it('validates options', () => {
    expect(() => bootstrapCI(xs, { confidence: 1 })).toThrow(/confidence must be in \(0, 1\)/);
    expect(() => bootstrapCI(xs, { resamples: 0 })).toThrow(/resamples must be an integer/);
    expect(() => bootstrapCI(xs, { statistic: () => Number.NaN, resamples: 10 })).toThrow(
      /statistic returned NaN/,
    );
  });
});
