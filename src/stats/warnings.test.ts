import { describe, expect, it } from 'vitest';
import { compare } from './compare.ts';
import { createRng } from './prng.ts';
import { MIN_SAMPLES, noiseWarnings } from './warnings.ts';

const rng = createRng(15);
/** n lognormal times around `center` ms with relative noise `sigma`, in recorded order. */
function noisy(n: number, center: number, sigma: number): number[] {
  return Array.from({ length: n }, () => center * Math.exp(sigma * rng.nextNormal()));
}
const codes = (ws: { code: string }[]): string[] => ws.map((w) => w.code);

describe('noiseWarnings (one run)', () => {
  it('clean i.i.d. lognormal samples give no warning', () => {
    expect(noiseWarnings(noisy(300, 1.2, 0.02))).toEqual([]);
  });

  it('few-samples below MIN_SAMPLES', () => {
    expect(MIN_SAMPLES).toBe(5);
    expect(codes(noiseWarnings([1.1, 1.2]))).toEqual(['few-samples']);
    expect(codes(noiseWarnings([1.1, 1.2, 1.15, 1.18, 1.12]))).toEqual([]);
  });

  it('quantized: detected from ties, or from the engine quantum', () => {
    const grid = noisy(200, 1.24, 0.02).map((x) => Math.round(x * 10) / 10);
    const w = noiseWarnings(grid);
    expect(codes(w)).toEqual(['quantized']);
    expect(w[0]?.message).toContain('steps of 0.1 ms');
    const fine = noisy(200, 1.24, 0.02);
    expect(noiseWarnings(fine)).toEqual([]);
    expect(codes(noiseWarnings(fine, { quantumMs: 0.1 }))).toEqual(['quantized']);
  });

  it('autocorrelated: AR(1) noise with φ = 0.9', () => {
    let e = 0;
    const xs = Array.from({ length: 200 }, () => {
      e = 0.9 * e + 0.02 * rng.nextNormal();
      return 1.2 * Math.exp(e);
    });
    expect(codes(noiseWarnings(xs))).toContain('autocorrelated');
  });

  it('drift: a 3% rise over the run', () => {
    const xs = noisy(300, 1, 0.01).map((x, i) => x * (1 + (0.03 * i) / 300));
    const w = noiseWarnings(xs, { label: 'baseline' });
    expect(codes(w)).toContain('drift');
    expect(w.find((x) => x.code === 'drift')?.message).toMatch(
      /^baseline: times rise during the run \(about [234](\.\d)?% from start to end/,
    );
  });

  it('bimodal: two clusters 1.0 ms and 1.5 ms', () => {
    const xs = [...noisy(100, 1, 0.01), ...noisy(60, 1.5, 0.01)];
    // Shuffle so the order-based tests see no trend.
    for (let i = xs.length - 1; i > 0; i--) {
      const j = rng.nextInt(i + 1);
      [xs[i], xs[j]] = [xs[j] ?? 0, xs[i] ?? 0];
    }
    expect(codes(noiseWarnings(xs))).toEqual(['bimodal']);
  });

  it('outliers: severe Tukey outliers, hyperfine-style message', () => {
    const xs = noisy(100, 1, 0.01);
    xs[40] = 5;
    const w = noiseWarnings(xs);
    expect(codes(w)).toEqual(['outliers']);
    expect(w[0]?.message).toContain('statistical outliers were detected (1 severe');
  });
});

describe('compare() guards', () => {
  const base = noisy(100, 2, 0.01);
  const cand = noisy(100, 1, 0.01);

  it('different configs: inconclusive with the reason, unless allowed (then cross-config)', () => {
    const cfgA = { batch: 1, heads: 8, seqLen: 512, headDim: 64, causal: false };
    const cfgB = { ...cfgA, seqLen: 1024 };
    const refused = compare(base, cand, { baselineConfig: cfgA, candidateConfig: cfgB });
    expect(refused.verdict).toBe('inconclusive');
    expect(refused.verdictReason).toBe('different configs (seqLen 512 → 1024)');
    expect(refused.crossConfig).toBe(false);
    expect(codes(refused.warnings)).toEqual(['different-config']);
    expect(refused.summary).toContain('Verdict: inconclusive — different configs');

    const allowed = compare(base, cand, {
      baselineConfig: cfgA,
      candidateConfig: cfgB,
      allowDifferentConfig: true,
    });
    expect(allowed.verdict).toBe('faster');
    expect(allowed.verdictReason).toBeNull();
    expect(allowed.crossConfig).toBe(true);
    expect(allowed.warnings[0]?.message).toMatch(/^Cross-config comparison/);
    expect(allowed.summary).toContain('cross-config comparison');

    const sameCfg = compare(base, cand, { baselineConfig: cfgA, candidateConfig: { ...cfgA } });
    expect(sameCfg.verdict).toBe('faster');
    expect(sameCfg.warnings).toEqual([]);
  });

  it('few samples: inconclusive even when the CI excludes 1', () => {
    const r = compare([2, 2.1, 2.05], [1, 1.1, 1.05]);
    expect(r.speedup.ci[0]).toBeGreaterThan(1);
    expect(r.verdict).toBe('inconclusive');
    expect(r.verdictReason).toMatch(/too few samples \(n = 3 on a side; at least 5 needed\)/);
  });

  it("quantized timer: 'same' becomes inconclusive (timer resolution)", () => {
    // A true 3% difference at 1.2 ms, read through a 0.1 ms timer: both medians are 1.2.
    const q = (xs: number[]): number[] => xs.map((x) => Math.round(x * 10) / 10);
    const r = compare(q(noisy(1000, 1.2, 0.01)), q(noisy(1000, 1.2 * 1.03, 0.01)));
    expect(r.speedup.ci).toEqual([1, 1]);
    expect(r.verdict).toBe('inconclusive');
    expect(r.verdictReason).toMatch(/^timer resolution/);
    expect(codes(r.warnings)).toEqual(['quantized', 'quantized']);
    expect(r.warnings[0]?.message).toContain('all 1000 times are identical');
    expect(r.warnings[1]?.message).toContain('steps of 0.1 ms');
  });
});
