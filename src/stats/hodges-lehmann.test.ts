import { describe, expect, it } from 'vitest';
import { loadFixtures } from './fixtures/load.ts';
import { hodgesLehmann } from './hodges-lehmann.ts';
import { createRng } from './prng.ts';

/** np.median of all pairwise differences, the O(n1·n2) way. */
function bruteForce(b: readonly number[], c: readonly number[]): number {
  const diffs = new Float64Array(b.length * c.length);
  let k = 0;
  for (const x of b) {
    for (const y of c) {
      diffs[k++] = x - y;
    }
  }
  diffs.sort();
  const mid = diffs.length >> 1;
  return diffs.length % 2 === 1
    ? (diffs[mid] ?? Number.NaN)
    : ((diffs[mid - 1] ?? Number.NaN) + (diffs[mid] ?? Number.NaN)) / 2;
}

describe('Hodges–Lehmann shift', () => {
  it('equals np.median of all differences for every fixture (incl. 1000 × 1000)', () => {
    for (const c of loadFixtures().cases) {
      expect(hodgesLehmann(c.baseline, c.candidate), c.name).toBe(c.hodgesLehmann);
    }
  });

  it('equals brute force on random sizes, with and without ties', () => {
    const rng = createRng(31);
    for (let trial = 0; trial < 60; trial++) {
      const n1 = 1 + rng.nextInt(trial < 30 ? 12 : 150);
      const n2 = 1 + rng.nextInt(trial < 30 ? 12 : 150);
      // Half the trials draw from a handful of values so that many differences tie.
      const draw = (): number => (trial % 2 === 0 ? rng.nextInt(5) : rng.nextNormal());
      const b = Array.from({ length: n1 }, draw);
      const c = Array.from({ length: n2 }, draw);
      expect(hodgesLehmann(b, c), `trial ${trial}`).toBe(bruteForce(b, c));
    }
  });

  it('is positive when the baseline is larger', () => {
    expect(hodgesLehmann([10, 11, 12], [1, 2, 3])).toBe(9);
  });
});
