import { describe, expect, it } from 'vitest';
import { isClose, loadFixtures } from './fixtures/load.ts';
import { quantile, sortSamples } from './samples.ts';

describe('quantile (numpy linear) and SortedSamples', () => {
  it('matches np.quantile to the last bit', () => {
    for (const fx of loadFixtures().quantile) {
      const sorted = sortSamples(fx.samples);
      fx.q.forEach((q, i) => {
        const expected = fx.values[i] ?? Number.NaN;
        expect(
          isClose(quantile(sorted, q), expected, 1e-15),
          `q=${q} of ${fx.samples.length}`,
        ).toBe(true);
      });
    }
  });

  it('sortSamples copies, sorts numerically and leaves the input alone', () => {
    const input = [10, 9, 100, 1];
    const sorted = sortSamples(input);
    expect(Array.from(sorted)).toEqual([1, 9, 10, 100]);
    expect(input).toEqual([10, 9, 100, 1]);
  });

  it('rejects q outside [0, 1] and bad samples, naming the argument', () => {
    const sorted = sortSamples([1, 2, 3]);
    expect(() => quantile(sorted, 1.5)).toThrow(/q must be in \[0, 1\]/);
    expect(() => quantile(sorted, Number.NaN)).toThrow(/q must be/);
    expect(() => sortSamples([], 'baseline')).toThrow('baseline: needs at least 1 sample');
    expect(() => sortSamples([1, Number.POSITIVE_INFINITY], 'candidate')).toThrow(
      /candidate: sample at index 1 is Infinity/,
    );
  });
});
