import { describe, expect, it } from 'vitest';
import { compare } from './compare.ts';
import { describe as describeSamples } from './describe.ts';
import { hedgesG } from './effect.ts';
import { hodgesLehmann } from './hodges-lehmann.ts';
import { createRng } from './prng.ts';

/** Every number anywhere in `value`, with its path. */
function numbers(value: unknown, path = ''): [string, number][] {
  if (typeof value === 'number') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => numbers(v, `${path}[${i}]`));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => numbers(v, `${path}.${k}`));
  }
  return [];
}

describe('numerical edges', () => {
  it('Hodges–Lehmann and compare() with 2 × 100,000 samples (n1·n2 = 10¹⁰ > 2³²)', () => {
    // b = x + 0.5 against c = x (dyadic values, so every difference is exact): the differences
    // are symmetric around 0.5, so the HL shift is exactly 0.5.
    const rng = createRng(100);
    const x = Array.from({ length: 100_000 }, () => 1 + rng.nextInt(1 << 20) / 1024);
    const b = x.map((v) => v + 0.5);
    expect(hodgesLehmann(b, x)).toBe(0.5);
    const r = compare(b, x, { resamples: 200 });
    expect(r.hodgesLehmann).toBe(0.5);
    expect(r.baseline.n * r.candidate.n).toBeGreaterThan(2 ** 32);
  });

  it('values near 1e308 give finite results, never NaN', () => {
    const rng = createRng(308);
    const big = (scale: number): number[] =>
      Array.from({ length: 50 }, () => scale * (1 + 0.05 * rng.next()));
    const b = big(1.6e308);
    const c = big(1.5e308);
    const d = describeSamples(b);
    for (const [path, v] of numbers(d))
      expect(Number.isFinite(v), `describe${path} = ${v}`).toBe(true);
    expect(d.mean).toBeGreaterThan(1.6e308);
    expect(Number.isFinite(hedgesG(b, c))).toBe(true);
    expect(hedgesG(b, c)).toBeGreaterThan(1);
    const r = compare(b, c, { resamples: 500 });
    for (const [path, v] of numbers(r))
      expect(Number.isFinite(v), `compare${path} = ${v}`).toBe(true);
    expect(r.summary).not.toMatch(/NaN|Infinity/);
    expect(r.speedup.estimate).toBeGreaterThan(1);
  });

  it("the mean is compensated: Hedges' g on 1e6 + tiny noise matches the shifted data's", () => {
    // g is shift-invariant, and subtracting 1e6 from 1e6 + ε is exact (Sterbenz), so the g of the
    // shifted samples is the reference. A plain running sum of 1e6-sized values loses the noise's
    // low bits and was off by ~1e-3 relative.
    const rng = createRng(6);
    const noise = (mu: number): number[] =>
      Array.from({ length: 5000 }, () => 1e6 + mu + 1e-4 * rng.nextNormal());
    const b = noise(2e-5);
    const c = noise(0);
    const reference = hedgesG(
      b.map((v) => v - 1e6),
      c.map((v) => v - 1e6),
    );
    expect(Math.abs(hedgesG(b, c) / reference - 1)).toBeLessThan(1e-9);
    // The mean itself is within one ulp of 1e6 (1.2e-10) of the exact mean.
    const exact = describeSamples(b.map((v) => v - 1e6)).mean;
    expect(Math.abs(describeSamples(b).mean - 1e6 - exact)).toBeLessThanOrEqual(2 ** -33);
  });
});
