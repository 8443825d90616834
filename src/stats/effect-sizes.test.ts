import { describe, expect, it } from 'vitest';
import { cliffsDelta, hedgesG } from './effect.ts';
import { isClose, loadFixtures } from './fixtures/load.ts';

describe("Hedges' g and Cliff's δ", () => {
  it('match the numpy formula and the brute-force δ for every fixture', () => {
    for (const c of loadFixtures().cases) {
      const g = hedgesG(c.baseline, c.candidate);
      expect(isClose(g, c.hedgesG, 1e-12, 1e-12), `${c.name}: g ${g} vs ${c.hedgesG}`).toBe(true);
      // δ is a ratio of integer counts: exact.
      expect(cliffsDelta(c.baseline, c.candidate), c.name).toBe(c.cliffsDelta);
    }
  });

  it('follow the baseline-first sign convention (positive: baseline larger/slower)', () => {
    const slow = [10, 11, 12, 13];
    const fast = [5, 6, 7, 8];
    expect(hedgesG(slow, fast)).toBeGreaterThan(0);
    expect(cliffsDelta(slow, fast)).toBe(1);
    expect(cliffsDelta(fast, slow)).toBe(-1);
  });

  it('g is 0 when undefined (pooled SD 0, or n1 + n2 < 3) and δ stays in [−1, 1]', () => {
    expect(hedgesG([1, 1, 1], [2, 2])).toBe(0);
    expect(hedgesG([1], [2])).toBe(0);
    expect(cliffsDelta([1], [1])).toBe(0);
  });
});
