import { describe, expect, it } from 'vitest';
import type { Interval } from './bootstrap.ts';
import { compare } from './compare.ts';
import { mean } from './describe.ts';
import { loadFixtures } from './fixtures/load.ts';

// Different random streams, so only loose agreement is possible. scipy ran with 50,000 resamples
// and several seeds; we use 20,000. For each CI end we take the envelope of scipy's runs (small
// samples have lumpy bootstrap distributions, and a BCa end can sit on a jump between two atoms,
// where scipy itself flips from seed to seed) and require our end to be within 2% of the value
// AND within 10% of scipy's CI width of that envelope. Observed: ≤ 0.3% of the value and ≤ 7% of
// the width (the worst is the timer-quantised sample).
const RESAMPLES = 20_000;
const REL = 0.02;
const WIDTH = 0.1;

function near(ours: Interval, runs: readonly (readonly [number, number])[]): boolean {
  return ([0, 1] as const).every((i) => {
    const ends = runs.map((r) => r[i]);
    const lo = Math.min(...ends);
    const hi = Math.max(...ends);
    const width = Math.max(...runs.map((r) => r[1] - r[0]));
    const d = ours[i] < lo ? lo - ours[i] : ours[i] > hi ? ours[i] - hi : 0;
    const ref = Math.abs(ours[i]);
    return d <= REL * ref && d <= Math.max(WIDTH * width, 1e-12 * ref);
  });
}

describe('bootstrap CIs against scipy.stats.bootstrap', () => {
  const fx = loadFixtures();
  for (const method of ['percentile', 'bca'] as const) {
    it(`${method}: median CIs and the speedup CI agree with scipy`, () => {
      let compared = 0;
      for (const c of fx.cases) {
        const r = compare(c.baseline, c.candidate, { method, resamples: RESAMPLES, seed: 11 });
        const ref = c.bootstrap[method];
        const pairs = [
          ['baseline', r.baseline.ci, ref.baselineMedian],
          ['candidate', r.candidate.ci, ref.candidateMedian],
          ['speedup', r.speedup.ci, ref.speedup],
        ] as const;
        for (const [what, ours, runs] of pairs) {
          // scipy returns NaN (stored as null) where the interval is degenerate; the edge-case
          // tests cover our documented behaviour there.
          if (runs === null) {
            continue;
          }
          compared++;
          expect(
            near(ours, runs),
            `${c.name} ${what}: ours ${ours.join(', ')} vs ${JSON.stringify(runs)}`,
          ).toBe(true);
        }
      }
      expect(compared).toBeGreaterThan(30);
    });
  }

  it('BCa lands nearer scipy BCa than scipy percentile where the two clearly differ', () => {
    let checked = 0;
    for (const c of fx.cases) {
      const r = compare(c.baseline, c.candidate, { method: 'bca', resamples: RESAMPLES, seed: 12 });
      const bca = c.bootstrap.bca.speedup;
      const pct = c.bootstrap.percentile.speedup;
      if (bca === null || pct === null) {
        continue;
      }
      for (const i of [0, 1] as const) {
        const b = mean(bca.map((x) => x[i]));
        const p = mean(pct.map((x) => x[i]));
        const width = mean(pct.map((x) => x[1] - x[0]));
        if (Math.abs(b - p) > 0.1 * width) {
          checked++;
          expect(Math.abs(r.speedup.ci[i] - b), `${c.name} end ${i}`).toBeLessThan(
            Math.abs(r.speedup.ci[i] - p),
          );
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});
