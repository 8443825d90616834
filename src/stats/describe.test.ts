import { describe as suite, expect, it } from 'vitest';
import { describe, mean, median, type Description } from './describe.ts';
import { isClose, loadFixtures } from './fixtures/load.ts';

const FIELDS: (keyof Description)[] = [
  'n',
  'mean',
  'median',
  'sd',
  'mad',
  'iqr',
  'min',
  'max',
  'p05',
  'p95',
  'p99',
];

suite('describe() against numpy', () => {
  it('matches numpy for every fixture sample to ~1e-12 relative', () => {
    for (const c of loadFixtures().cases) {
      for (const side of ['baseline', 'candidate'] as const) {
        const got = describe(c[side]);
        const want = c.describe[side];
        // sd and iqr can be ~0 while the data are ~1: judge their error on the data's scale.
        const scale = Math.max(Math.abs(want.max), Math.abs(want.min));
        for (const f of FIELDS) {
          const s = f === 'sd' || f === 'iqr' || f === 'mad' ? scale : Math.abs(want[f]);
          expect(isClose(got[f], want[f], 1e-12, 1e-300, s), `${c.name} ${side} ${f}`).toBe(true);
        }
      }
    }
  });

  it('has exactly the documented fields', () => {
    expect(Object.keys(describe([1, 2, 3])).sort()).toEqual([...FIELDS].sort());
  });

  it('mean and median agree with describe()', () => {
    const xs = [3, 1, 4, 1, 5, 9, 2, 6];
    expect(mean(xs)).toBe(describe(xs).mean);
    expect(median(xs)).toBe(3.5);
  });
});
