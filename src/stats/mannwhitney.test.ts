import { describe, expect, it } from 'vitest';
import { isClose, loadFixtures } from './fixtures/load.ts';
import { mannWhitney } from './mannwhitney.ts';

describe('mannWhitney() against scipy.stats.mannwhitneyu (method auto)', () => {
  it('reproduces U, the method choice and the two-sided p-value', () => {
    for (const c of loadFixtures().cases) {
      const got = mannWhitney(c.baseline, c.candidate);
      expect(got.u, c.name).toBe(c.mannWhitney.u);
      expect(got.method, c.name).toBe(c.mannWhitney.method);
      expect(
        isClose(got.p, c.mannWhitney.p, 1e-12),
        `${c.name}: ${got.p} vs ${c.mannWhitney.p}`,
      ).toBe(true);
    }
  });

  it('reports the first sample U (scipy convention): U1 + U2 = n1·n2', () => {
    const a = [1, 2, 3];
    const b = [4, 5, 6, 7];
    expect(mannWhitney(a, b).u).toBe(0);
    expect(mannWhitney(b, a).u).toBe(12);
    expect(mannWhitney(a, b).p).toBe(mannWhitney(b, a).p);
  });

  it('gives p = 1 when every value is tied', () => {
    expect(mannWhitney([2, 2, 2], [2, 2])).toEqual({ u: 3, p: 1, method: 'asymptotic' });
  });
});
