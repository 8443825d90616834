import { describe, expect, it } from 'vitest';
import { bootstrapCI } from './bootstrap.ts';
import { compare, type ComparisonResult } from './compare.ts';
import { describe as describeSamples } from './describe.ts';
import { loadFixtures } from './fixtures/load.ts';
import { mannWhitney } from './mannwhitney.ts';

/** Every number anywhere in the result, with its path. */
function numbers(value: unknown, path = ''): [string, number][] {
  if (typeof value === 'number') {
    return [[path, value]];
  }
  if (Array.isArray(value)) {
    return value.flatMap((v, i) => numbers(v, `${path}[${i}]`));
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => numbers(v, `${path}.${k}`));
  }
  return [];
}

function expectAllFinite(r: ComparisonResult, label: string): void {
  for (const [path, v] of numbers(r)) {
    expect(Number.isFinite(v), `${label}${path} = ${v}`).toBe(true);
  }
  expect(r.summary, label).not.toMatch(/NaN|Infinity|undefined/);
}

describe('edge cases: defined results, clear errors, never NaN', () => {
  it('empty input throws, naming the argument', () => {
    expect(() => compare([], [1])).toThrow('baseline: needs at least 1 sample');
    expect(() => compare([1], [])).toThrow('candidate: needs at least 1 sample');
    expect(() => describeSamples([])).toThrow('samples: needs at least 1 sample');
    expect(() => bootstrapCI([])).toThrow('samples: needs at least 1 sample');
  });

  it('non-finite input throws, naming the argument and the index', () => {
    expect(() => compare([1, 2, Number.NaN], [1])).toThrow(
      'baseline: sample at index 2 is NaN; every sample must be a finite number',
    );
    expect(() => compare([1], [1, Number.NEGATIVE_INFINITY])).toThrow(
      /candidate: sample at index 1 is -Infinity/,
    );
    expect(() => describeSamples([0, Number.NaN])).toThrow(/samples: sample at index 1 is NaN/);
  });

  it('compare() needs positive times, since the speedup is a ratio', () => {
    expect(() => compare([1, 0], [1])).toThrow(/baseline: compare\(\) needs positive times/);
    expect(() => compare([1], [-2, 3])).toThrow(/candidate: compare\(\) needs positive times/);
  });

  it('n = 1: sd 0, zero-width CIs, finite everything', () => {
    const d = describeSamples([4.2]);
    expect(d).toMatchObject({ n: 1, mean: 4.2, median: 4.2, sd: 0, mad: 0, iqr: 0, p99: 4.2 });
    expect(bootstrapCI([4.2])).toEqual([4.2, 4.2]);
    const r = compare([3], [1]);
    expect(r.speedup).toEqual({ estimate: 3, ci: [3, 3] });
    // One sample per side proves nothing (A/A: 82% false verdicts), whatever the CI says.
    expect(r.verdict).toBe('inconclusive');
    expect(r.verdictReason).toMatch(/too few samples \(n = 1/);
    expect(r.hedgesG).toBe(0);
    expectAllFinite(r, 'n=1');
  });

  it('n = 2: CIs span the data, BCa included', () => {
    for (const method of ['bca', 'percentile'] as const) {
      const [lo, hi] = bootstrapCI([1, 2], { method });
      expect(lo).toBe(1);
      expect(hi).toBe(2);
    }
    expectAllFinite(compare([1, 2], [1.5, 3]), 'n=2');
  });

  it('constant samples: CI [c, c], speedup exact, Mann-Whitney p = 1 when all tie', () => {
    expect(bootstrapCI([2.5, 2.5, 2.5])).toEqual([2.5, 2.5]);
    const same = compare([2.5, 2.5, 2.5, 2.5, 2.5], [2.5, 2.5, 2.5, 2.5, 2.5]);
    expect(same.baseline.ci).toEqual([2.5, 2.5]);
    expect(same.speedup).toEqual({ estimate: 1, ci: [1, 1] });
    // Five identical times on each side: the timer saw no variation at all, so 'same' would be
    // the timer talking.
    expect(same.verdict).toBe('inconclusive');
    expect(same.verdictReason).toMatch(/^timer resolution \(identical times/);
    expect(same.mannWhitney.p).toBe(1);
    expect(same.hedgesG).toBe(0);
    expect(same.cliffsDelta).toBe(0);
    expectAllFinite(same, 'constant');
    const differ = compare([1, 1, 1, 1, 1], [2, 2, 2, 2, 2, 2]);
    expect(differ.speedup.ci).toEqual([0.5, 0.5]);
    expect(differ.verdict).toBe('slower');
    expectAllFinite(differ, 'constant-different');
  });

  it('all ties across both samples: p = 1', () => {
    expect(mannWhitney([7, 7], [7, 7, 7]).p).toBe(1);
  });

  it('BCa falls back to the percentile interval when the jackknife is degenerate', () => {
    // Leave-one-out medians of [1, 5, 5, 5, 9] are all 5, so the acceleration is 0/0.
    const xs = [1, 5, 5, 5, 9];
    expect(bootstrapCI(xs, { method: 'bca', seed: 4 })).toEqual(
      bootstrapCI(xs, { method: 'percentile', seed: 4 }),
    );
  });

  it('every fixture case (ties, heavy tails, n = 1, 2, constants) gives finite results', () => {
    for (const c of loadFixtures().cases) {
      for (const method of ['bca', 'percentile'] as const) {
        expectAllFinite(compare(c.baseline, c.candidate, { method, resamples: 500 }), c.name);
      }
    }
  });
});
