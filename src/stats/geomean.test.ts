import { describe, expect, it } from 'vitest';
import { geomean, geomeanSpeedup } from './geomean.ts';

describe('geomean', () => {
  it('is the geometric mean', () => {
    expect(geomean([2, 8])).toBeCloseTo(4, 14);
    expect(geomean([1.1, 1.1, 1.1])).toBe(1.1);
    expect(geomean([0.5, 2])).toBeCloseTo(1, 14);
    expect(
      geomeanSpeedup([{ speedup: { estimate: 4 } }, { speedup: { estimate: 9 } }]),
    ).toBeCloseTo(6, 13);
  });

  it('throws clearly on empty, zero, negative or non-finite input', () => {
    expect(() => geomean([])).toThrow('geomean: needs at least 1 value, got 0');
    expect(() => geomean([1, 0])).toThrow(
      /value at index 1 is 0; every value must be finite and > 0/,
    );
    expect(() => geomean([-1])).toThrow(/index 0 is -1/);
    expect(() => geomean([Number.NaN])).toThrow(/index 0 is NaN/);
  });
});
