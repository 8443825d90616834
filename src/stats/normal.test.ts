import { describe, expect, it } from 'vitest';
import { isClose, loadFixtures } from './fixtures/load.ts';
import { normalCdf, normalQuantile } from './normal.ts';

const fx = loadFixtures().normal;

describe('normal CDF and quantile against scipy.special', () => {
  it('normalCdf matches ndtr (Cephes), including the far tails', () => {
    for (const { x, value } of fx.cdf) {
      expect(isClose(normalCdf(x), value, 1e-14), `ndtr(${x})`).toBe(true);
    }
  });

  it('normalQuantile matches ndtri to ~1e-13 relative', () => {
    for (const { p, value } of fx.quantile) {
      expect(isClose(normalQuantile(p), value, 1e-13, 1e-15), `ndtri(${p})`).toBe(true);
    }
  });

  it('handles the ends of the range', () => {
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
    expect(normalCdf(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(normalCdf(Number.POSITIVE_INFINITY)).toBe(1);
    expect(() => normalQuantile(1.1)).toThrow(/p must be in \[0, 1\]/);
    expect(() => normalCdf(Number.NaN)).toThrow(/NaN/);
  });
});
