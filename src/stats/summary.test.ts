import { describe, expect, it } from 'vitest';
import { compare } from './compare.ts';
import { createRng } from './prng.ts';
import { decimalsForWidth, fixed, formatP, grouped } from './summary.ts';

const rng = createRng(8);
const base = Array.from({ length: 400 }, () => 1.3 * Math.exp(0.02 * rng.nextNormal()));
const cand = Array.from({ length: 400 }, () => 1.2 * Math.exp(0.02 * rng.nextNormal()));

describe('summary paragraph', () => {
  it('reports medians, CIs, speedup, effect sizes, p and the verdict with sensible digits', () => {
    const r = compare(base, cand, {
      seed: 1,
      labels: { baseline: 'flash-v1', candidate: 'flash-v2' },
    });
    const s = r.summary;
    expect(s).toContain('flash-v1');
    expect(s).toContain('flash-v2');
    expect(s).toContain('n = 400');
    expect(s).toContain('95% CI');
    expect(s).toContain('BCa bootstrap, 10,000 resamples');
    // Two significant digits of each CI's width decide the decimals.
    const ds = decimalsForWidth(r.speedup.ci[1] - r.speedup.ci[0], r.speedup.estimate);
    expect(ds).toBe(4);
    expect(s).toContain(
      `${fixed(r.speedup.estimate, ds)}× (95% CI [${fixed(r.speedup.ci[0], ds)}, `,
    );
    expect(s).toContain(`Hedges' g = ${r.hedgesG.toFixed(2)}`);
    expect(s).toContain(`Cliff's δ = ${r.cliffsDelta.toFixed(2)}`);
    expect(s).toMatch(/two-sided p = \d\.\d × 10⁻[⁰¹²³⁴⁵⁶⁷⁸⁹]+ \(normal approximation/);
    expect(s).toContain('Verdict: faster');
    expect(s).toContain('flash-v2 is faster than flash-v1');
    // Medians ≈ 1.3 ms with CI widths ≈ 0.005 ms: four decimals.
    expect(s).toMatch(/flash-v1 1\.\d{4} ms \(95% CI \[1\.\d{4}, 1\.\d{4}\] ms, n = 400\)/);
  });

  it('words each verdict', () => {
    const noisy = (scale: number): number[] =>
      Array.from({ length: 30 }, () => scale * Math.exp(0.3 * rng.nextNormal()));
    expect(compare(noisy(1), noisy(1), { seed: 2 }).summary).toMatch(
      /Verdict: (inconclusive|same)/,
    );
    expect(compare(cand, base, { seed: 3 }).summary).toContain('Verdict: slower');
    expect(compare(base, base, { seed: 4 }).summary).toContain('Verdict: same');
  });

  it('warns when a side has fewer than 10 samples, and only then', () => {
    expect(compare([19, 22, 16, 29, 24], [20, 11, 17, 12]).summary).toContain(
      'Caution: with fewer than 10 samples on a side',
    );
    expect(compare(base, cand, { resamples: 500 }).summary).not.toContain('Caution');
  });

  it('formats numbers deterministically', () => {
    expect(decimalsForWidth(0.012, 1.3)).toBe(3);
    expect(decimalsForWidth(50, 12345)).toBe(0);
    expect(decimalsForWidth(0, 2.5)).toBe(3);
    expect(fixed(-0.0001, 2)).toBe('0.00');
    expect(formatP(0.0321)).toBe('= 0.032');
    expect(formatP(2.34e-9)).toBe('= 2.3 × 10⁻⁹');
    expect(formatP(0)).toBe('< 10⁻³⁰⁰');
    expect(grouped(1234567)).toBe('1,234,567');
  });
});
