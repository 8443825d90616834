/** One result, one CI: Compare shows the median CI the result recorded (as Results does). */
import { describe, expect, it } from 'vitest';
import { deriveFigures } from '../model/index.ts';
import { createRng } from '../stats/prng.ts';
import { compareView } from './view-stats.ts';

const config = {
  batch: 1,
  heads: 2,
  seqLen: 128,
  headDim: 64,
  causal: false,
  dtype: 'f32' as const,
};

function samples(seed: number, center: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: 40 }, () => center * (1 + 0.2 * rng.next()));
}

describe('one CI per result', () => {
  it('gives each side the CI its result recorded, whatever seed the comparison used', () => {
    const a = samples(3, 1.5);
    const b = samples(4, 1.2);
    // Results show the figures derived with the run's own seed …
    const da = deriveFigures(config, a, { seed: 7 });
    const db = deriveFigures(config, b, { seed: 8 });
    if (!da || !db) throw new Error('no figures');
    // … and Compare, with its own seed, shows the same intervals for the two sides.
    const view = compareView(a, b, { seed: 99 }, { baseline: da, candidate: db });
    expect(view.comparison.baseline.ci).toEqual(da.ci);
    expect(view.comparison.candidate.ci).toEqual(db.ci);
    // Without the recorded figures its own bootstrap differs (that was the bug).
    const own = compareView(a, b, { seed: 99 });
    expect(own.comparison.baseline.ci).not.toEqual(da.ci);
  });
});
