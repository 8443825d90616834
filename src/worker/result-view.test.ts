/** The result detail view's figures: drift shows in the rolling median and the fifths. */
import { describe, expect, it } from 'vitest';
import { createRng } from '../stats/index.ts';
import { resultView } from './result-view.ts';

function drifting(n: number, seed: number): number[] {
  const rng = createRng(seed);
  // 1.00 ms rising to 1.10 ms over the run, with 1% noise.
  return Array.from({ length: n }, (_, i) => 1 + (0.1 * i) / (n - 1) + 0.01 * rng.nextNormal());
}

describe('resultView', () => {
  it('shows drift: the last fifth is slower than the first and the rolling median rises', () => {
    const v = resultView(drifting(500, 7), undefined);
    expect(v.description.n).toBe(500);
    expect(v.firstFifthMs).toBeGreaterThan(1.0);
    expect(v.firstFifthMs).toBeLessThan(1.025);
    expect(v.lastFifthMs).toBeGreaterThan(1.075);
    expect(v.window).toBe(25);
    const first = v.rolling[0];
    const last = v.rolling[v.rolling.length - 1];
    expect(first?.i).toBe(12);
    expect(last?.i).toBe(487);
    expect((last?.ms ?? 0) - (first?.ms ?? 0)).toBeGreaterThan(0.08);
  });

  it('keeps every sample in run order with its throttle flag when the run is short', () => {
    const ms = [2.5, 2.4, 2.6, 9.9, 2.5, 2.45];
    const v = resultView(ms, [false, false, true, false, false, false]);
    expect(v.timeline.map((p) => p.ms)).toEqual(ms);
    expect(v.timeline.map((p) => p.throttled)).toEqual([false, false, true, false, false, false]);
    expect(v.bins.reduce((s, b) => s + b.count, 0) + v.above).toBe(6);
    // 9.9 ms lies beyond the outer fence: the histogram stops before it and counts it.
    expect(v.above).toBe(1);
    expect(v.cutMs).toBeLessThan(9.9);
  });

  it('thins a long run to maxPoints, keeping both ends', () => {
    const v = resultView(drifting(10_001, 3), undefined, { maxPoints: 1000 });
    expect(v.timeline.length).toBeLessThanOrEqual(1001);
    expect(v.timeline[0]?.i).toBe(0);
    expect(v.timeline[v.timeline.length - 1]?.i).toBe(10_000);
  });

  it('handles a single sample', () => {
    const v = resultView([3.25], undefined);
    expect(v.description.median).toBe(3.25);
    expect(v.timeline).toEqual([{ i: 0, ms: 3.25, throttled: false }]);
    expect(v.rolling).toEqual([{ i: 0, ms: 3.25 }]);
  });
});

describe('resultView warnings', () => {
  it('warns about a bimodal run (129 of 1000 samples far below the median, as in issue 16)', () => {
    const rng = createRng(16);
    const ms = Array.from({ length: 1000 }, (_, i) =>
      i % 8 === 3 && i < 1032 ? 0.22 + 0.002 * rng.nextNormal() : 6.06 + 0.05 * rng.nextNormal(),
    );
    const v = resultView(ms, undefined);
    expect(v.warnings.length).toBeGreaterThan(0);
    expect(v.warnings.map((w) => w.code)).toContain('bimodal');
  });

  it('warns about few samples', () => {
    expect(resultView([1, 1.1, 0.9], undefined).warnings.map((w) => w.code)).toContain(
      'few-samples',
    );
  });
});
