/**
 * The view statistics the stats worker serves: histogram bins, live snapshots, ECDF thinning,
 * density, box figures and sweep speedups — checked against hand-computed and numpy values.
 */
import { describe, expect, it } from 'vitest';
import { compare, createRng, sortSamples } from '../stats/index.ts';
import { medianRankInterval } from '../model/index.ts';
import {
  LiveAccumulator,
  boxFigures,
  compareView,
  density,
  distributionView,
  ecdf,
  histogram,
  sweepSpeedups,
} from './view-stats.ts';
import { statsApi } from './stats.worker.ts';

function seeded(seed: number, n: number, center: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => center * (0.9 + 0.2 * rng.next()));
}

describe('histogram', () => {
  it('counts values into equal-width bins and those above the range separately', () => {
    const { bins, above } = histogram(sortSamples([1, 2, 2, 3, 10]), 1, 3, 2);
    expect(bins).toEqual([
      { x0: 1, x1: 2, count: 1 },
      { x0: 2, x1: 3, count: 3 },
    ]);
    expect(above).toBe(1);
  });

  it('gives a constant sample one visible bin around the value', () => {
    const { bins, above } = histogram(sortSamples([4, 4, 4]), 4, 4, 3);
    expect(bins.reduce((n, b) => n + b.count, 0)).toBe(3);
    expect(bins[0]?.x0).toBeLessThan(4);
    expect(bins[2]?.x1).toBeGreaterThan(4);
    expect(above).toBe(0);
  });
});

describe('LiveAccumulator', () => {
  it('snapshots the running median, its order-statistic CI and every sample', () => {
    const acc = new LiveAccumulator();
    expect(acc.snapshot(10)).toBeNull();
    const ms = seeded(5, 37, 2);
    acc.push(ms.slice(0, 20));
    acc.push(ms.slice(20));
    const snap = acc.snapshot(12);
    const sorted = sortSamples(ms);
    expect(snap?.n).toBe(37);
    expect(snap?.medianMs).toBe(sorted[18]);
    expect(snap?.ci).toEqual(medianRankInterval(sorted));
    expect(snap?.bins).toHaveLength(12);
    expect((snap?.bins ?? []).reduce((n, b) => n + b.count, 0) + (snap?.above ?? 0)).toBe(37);
    expect(snap?.min).toBe(sorted[0]);
    expect(snap?.max).toBe(sorted[36]);
  });

  it('has no CI below 10 samples and grows past its first buffer', () => {
    const acc = new LiveAccumulator();
    acc.push([3, 1, 2]);
    expect(acc.snapshot(4)?.ci).toBeNull();
    acc.push(seeded(9, 5000, 1));
    expect(acc.n).toBe(5003);
    expect(acc.snapshot(4)?.n).toBe(5003);
  });

  it('names the index of a non-finite sample', () => {
    const acc = new LiveAccumulator();
    expect(() => {
      acc.push([1, Number.NaN]);
    }).toThrow('live samples: value at index 1 is NaN; expected a finite number');
    expect(acc.n).toBe(0);
  });

  it('leaves far-out slow samples off the histogram and counts them', () => {
    const acc = new LiveAccumulator();
    acc.push([...seeded(3, 100, 1), 50, 60]);
    const snap = acc.snapshot(20);
    expect(snap?.above).toBe(2);
    expect(snap?.bins.at(-1)?.x1).toBeLessThan(50);
  });
});

describe('ecdf', () => {
  it('thins to at most maxPoints steps and always ends at the maximum with p = 1', () => {
    const sorted = sortSamples(seeded(1, 1000, 3));
    const points = ecdf(sorted, 256);
    expect(points.length).toBeLessThanOrEqual(257);
    expect(points[0]).toEqual({ x: sorted[0], p: 1 / 1000 });
    expect(points.at(-1)).toEqual({ x: sorted[999], p: 1 });
    for (let i = 1; i < points.length; i++) {
      expect(points[i]?.p).toBeGreaterThan(points[i - 1]?.p ?? 1);
    }
  });
});

describe('density', () => {
  it('integrates to about 1 and peaks near the median of a symmetric sample', () => {
    const sorted = sortSamples(seeded(7, 400, 5));
    const d = density(sorted, 128);
    let area = 0;
    for (let i = 1; i < d.length; i++) {
      const a = d[i - 1];
      const b = d[i];
      if (a && b) area += ((a.density + b.density) / 2) * (b.x - a.x);
    }
    expect(area).toBeGreaterThan(0.95);
    expect(area).toBeLessThan(1.01);
    const peak = d.reduce((best, p) => (p.density > best.density ? p : best));
    expect(Math.abs(peak.x - 5)).toBeLessThan(0.3);
  });
});

describe('boxFigures', () => {
  it('matches numpy quartiles and puts Tukey whiskers at the last samples inside the fences', () => {
    // numpy: percentile 25 → 3.5, 75 → 8.5, median 6; the fence 8.5 + 1.5·5 = 16 excludes 100.
    const box = boxFigures(sortSamples([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100]));
    expect(box).toEqual({ q1: 3.5, median: 6, q3: 8.5, whiskerLo: 1, whiskerHi: 10 });
  });

  it('counts far-out samples beyond the outer fence in the distribution view', () => {
    const view = distributionView([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100], 'x');
    expect(view.fenceHi).toBe(8.5 + 3 * 5);
    expect(view.farOut).toBe(1);
  });
});

describe('compareView and sweepSpeedups', () => {
  it('returns exactly what compare() returns, plus both distributions', () => {
    const a = seeded(11, 40, 2);
    const b = seeded(12, 40, 1.5);
    const view = compareView(a, b, { seed: 3, resamples: 2000 });
    expect(view.comparison).toEqual(compare(a, b, { seed: 3, resamples: 2000 }));
    expect(view.baseline.box.median).toBe(view.comparison.baseline.median);
    expect(view.candidate.max).toBe(Math.max(...b));
  });

  it('gives each target its speedup over the baseline per size and their geomean', () => {
    const cells = [
      { target: 'base', size: 64, ms: seeded(1, 30, 2) },
      { target: 'fast', size: 64, ms: seeded(2, 30, 1) },
      { target: 'base', size: 128, ms: seeded(3, 30, 8) },
      { target: 'fast', size: 128, ms: seeded(4, 30, 2) },
      { target: 'fast', size: 256, ms: seeded(5, 30, 4) },
    ];
    const [fast] = sweepSpeedups(cells, 'base', { resamples: 1000 });
    expect(fast?.target).toBe('fast');
    expect(fast?.points.map((p) => p.size)).toEqual([64, 128]);
    const estimates = fast?.points.map((p) => p.estimate) ?? [];
    expect(estimates[0]).toBeCloseTo(2, 0);
    expect(estimates[1]).toBeCloseTo(4, 0);
    expect(fast?.geomean).toBeCloseTo(Math.sqrt((estimates[0] ?? 0) * (estimates[1] ?? 0)), 12);
    expect(fast?.points.every((p) => p.verdict === 'faster')).toBe(true);
  });
});

describe('statsApi', () => {
  it('keeps live sessions apart and refuses an unknown one by name', () => {
    statsApi.liveStart('a');
    statsApi.liveStart('b');
    statsApi.livePush('a', Float64Array.from([1, 2, 3]));
    statsApi.livePush('b', Float64Array.from([10]));
    expect(statsApi.liveSnapshot('a', 4)?.n).toBe(3);
    expect(statsApi.liveSnapshot('b', 4)?.medianMs).toBe(10);
    statsApi.liveEnd('a');
    expect(() => statsApi.liveSnapshot('a', 4)).toThrow('stats worker: no live session "a"');
    statsApi.liveEnd('b');
  });

  it('derives the same figures as the result model', () => {
    const ms = Float64Array.from(seeded(8, 25, 1.2));
    const config = {
      batch: 1,
      heads: 2,
      seqLen: 128,
      headDim: 64,
      causal: false,
      dtype: 'f32' as const,
    };
    const d = statsApi.derive(config, ms, 1);
    expect(d?.medianMs).toBe(sortSamples(ms)[12]);
    expect(d?.ci[0]).toBeLessThanOrEqual(d?.medianMs ?? 0);
    expect(d?.tflops).toBeCloseTo(
      (4 * 2 * 128 * 128 * 64) / ((d?.medianMs ?? 1) * 1e-3) / 1e12,
      12,
    );
  });
});
