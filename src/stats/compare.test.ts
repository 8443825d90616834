import { describe, expect, it } from 'vitest';
import { compare } from './compare.ts';
import { describe as describeSamples } from './describe.ts';
import { cliffsDelta, hedgesG } from './effect.ts';
import { loadFixtures } from './fixtures/load.ts';
import { hodgesLehmann } from './hodges-lehmann.ts';
import { mannWhitney } from './mannwhitney.ts';
import { tukeyOutliers } from './outliers.ts';
import { verdictFromSpeedupCI } from './verdict.ts';

describe('compare()', () => {
  const c = loadFixtures().cases.find((x) => x.name === 'large-1000v1000');
  if (c === undefined) {
    throw new Error('fixture large-1000v1000 missing');
  }
  const r = compare(c.baseline, c.candidate, { seed: 1 });

  it('returns exactly the documented fields', () => {
    expect(Object.keys(r).sort()).toEqual(
      [
        'baseline',
        'candidate',
        'cliffsDelta',
        'hedgesG',
        'hodgesLehmann',
        'mannWhitney',
        'outliers',
        'speedup',
        'summary',
        'verdict',
        'verdictReason',
        'crossConfig',
        'warnings',
      ].sort(),
    );
    expect(Object.keys(r.speedup).sort()).toEqual(['ci', 'estimate']);
  });

  it('assembles the same numbers as the individual functions', () => {
    expect(r.baseline).toMatchObject(describeSamples(c.baseline));
    expect(r.candidate).toMatchObject(describeSamples(c.candidate));
    expect(r.speedup.estimate).toBe(r.baseline.median / r.candidate.median);
    expect(r.hodgesLehmann).toBe(hodgesLehmann(c.baseline, c.candidate));
    expect(r.hedgesG).toBe(hedgesG(c.baseline, c.candidate));
    expect(r.cliffsDelta).toBe(cliffsDelta(c.baseline, c.candidate));
    expect(r.mannWhitney).toEqual(mannWhitney(c.baseline, c.candidate));
    expect(r.outliers.baseline).toEqual(tukeyOutliers(c.baseline));
    expect(r.verdict).toBe(verdictFromSpeedupCI(r.speedup.ci, 0.02));
  });

  it('brackets each estimate by its CI', () => {
    for (const [est, [lo, hi]] of [
      [r.baseline.median, r.baseline.ci],
      [r.candidate.median, r.candidate.ci],
      [r.speedup.estimate, r.speedup.ci],
    ] as const) {
      expect(lo).toBeLessThanOrEqual(est);
      expect(hi).toBeGreaterThanOrEqual(est);
    }
  });

  it('honours confidence and margin', () => {
    const wide = compare(c.baseline, c.candidate, { seed: 1, confidence: 0.99 });
    expect(wide.speedup.ci[0]).toBeLessThan(r.speedup.ci[0]);
    expect(wide.speedup.ci[1]).toBeGreaterThan(r.speedup.ci[1]);
    expect(compare(c.baseline, c.candidate, { seed: 1, margin: 0.5 }).verdict).toBe('same');
    expect(() => compare(c.baseline, c.candidate, { margin: -1 })).toThrow(/margin/);
  });
});
