import { describe, expect, it } from 'vitest';
import {
  describeStopReason,
  describeStopRule,
  diffEnv,
  maxSamples,
  relativeHalfWidth,
  shouldStop,
} from './index.ts';

describe('stop rules', () => {
  it('stops a count rule at the count', () => {
    const rule = { kind: 'count', iterations: 3 } as const;
    expect(shouldStop(rule, [1, 2], 0)).toBeNull();
    expect(shouldStop(rule, [1, 2, 3], 0)).toBe('count');
    expect(maxSamples(rule)).toBe(3);
  });

  it('stops a time rule once the budget is spent and a sample exists', () => {
    const rule = { kind: 'time', budgetMs: 100 } as const;
    expect(shouldStop(rule, [1], 99)).toBeNull();
    expect(shouldStop(rule, [], 150)).toBeNull();
    expect(shouldStop(rule, [1], 100)).toBe('time');
  });

  it('stops a CI rule when the order-statistic CI is narrow enough, or gives up', () => {
    const tight = Array.from({ length: 200 }, (_, i) => 1 + (i % 10) * 1e-4);
    expect(relativeHalfWidth(tight)).toBeLessThan(0.001);
    expect(shouldStop({ kind: 'ci', target: 0.01 }, tight, 10)).toBe('ci-reached');
    const wide = Array.from({ length: 50 }, (_, i) => 1 + (i % 2));
    expect(shouldStop({ kind: 'ci', target: 0.01, maxIterations: 100 }, wide, 10)).toBeNull();
    expect(shouldStop({ kind: 'ci', target: 0.01, maxIterations: 50 }, wide, 10)).toBe(
      'ci-gave-up',
    );
    expect(shouldStop({ kind: 'ci', target: 0.01, maxMs: 5 }, wide, 10)).toBe('ci-gave-up');
    expect(relativeHalfWidth([1, 2, 3])).toBe(Infinity);
  });

  it('describes rules for people', () => {
    expect(describeStopRule({ kind: 'count', iterations: 100 })).toBe('100 samples');
    expect(describeStopRule({ kind: 'time', budgetMs: 10000 })).toBe('10 s budget');
    expect(describeStopRule({ kind: 'ci', target: 0.01 })).toBe('CI ±1.0% (≤ 10000 samples, 60 s)');
  });
});

describe('environment difference', () => {
  it('lists differing and one-sided fields, compares arrays as sets', () => {
    const a = { gpu: { name: 'H100', driver: '580' }, adapter: undefined, host: { os: 'linux' } };
    const b = { gpu: { name: 'H100', driver: '590', smCount: 132 }, host: { os: 'linux' } };
    // Device fields first, then the driver (src/model/envdiff.ts orders by what matters).
    expect(diffEnv(a, b)).toEqual([
      { path: 'gpu.smCount', a: undefined, b: '132', group: 'device', important: true },
      { path: 'gpu.driver', a: '580', b: '590', group: 'driver', important: true },
    ]);
    const fa = {
      adapter: {
        vendor: 'v',
        architecture: '',
        device: '',
        description: '',
        features: ['b', 'a'],
        limits: {},
      },
    };
    const fb = { adapter: { ...fa.adapter, features: ['a', 'b'] } };
    expect(diffEnv(fa, fb)).toEqual([]);
  });
});

describe('describeStopReason', () => {
  const noisy = [1, 1.5, 0.8, 1.2, 2, 0.9, 1.1, 1.4, 0.7, 1.6];
  it('says a CI rule gave up, how wide the CI still was, which cap ended it and what to do', () => {
    const rule = { kind: 'ci' as const, target: 0.01, maxIterations: 10 };
    expect(describeStopReason('ci-gave-up', rule, noisy, 1234)).toMatch(
      /^gave up after 10 samples: the median's 95% CI was still ±\d+(\.\d+)?%, wider than the ±1\.0% target, when the sample cap \(10\) was reached; the timings vary too much for that target — widen it or raise the cap$/,
    );
    expect(
      describeStopReason('ci-gave-up', { ...rule, maxIterations: 5000, maxMs: 2000 }, noisy, 2100),
    ).toContain('when the time cap (2 s) was reached after 2.1 s');
  });

  it('reads as a sentence for count and time rules', () => {
    expect(describeStopReason('count', { kind: 'count', iterations: 10 }, noisy, 5)).toBe(
      'stopped after 10 samples, the count asked for',
    );
    expect(describeStopReason('time', { kind: 'time', budgetMs: 5000 }, noisy, 5001)).toBe(
      'stopped after 10 samples: the 5 s time budget was spent',
    );
  });
});
