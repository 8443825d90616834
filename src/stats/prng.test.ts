import { describe, expect, it } from 'vitest';
import { loadFixtures } from './fixtures/load.ts';
import { createRng, createRngFromState, DEFAULT_SEED, deriveSeed } from './prng.ts';

const fx = loadFixtures().prng;

describe('seeded PRNG (xoshiro128** seeded by splitmix32)', () => {
  it('reproduces the independent Python implementation bit for bit', () => {
    for (const v of fx.seeded) {
      const rng = createRng(v.seed);
      expect(v.uint32.map(() => rng.nextUint32())).toEqual(v.uint32);
      for (const [n, values] of Object.entries(v.nextInt)) {
        expect(
          values.map(() => rng.nextInt(Number(n))),
          `seed ${v.seed}, n ${n}`,
        ).toEqual(values);
      }
    }
  });

  it('matches the reference algorithm from raw state [1, 2, 3, 4]', () => {
    const rng = createRngFromState(1, 2, 3, 4);
    expect(fx.fromState1234.map(() => rng.nextUint32())).toEqual(fx.fromState1234);
  });

  it('derives stream seeds as documented', () => {
    for (const d of fx.derived) {
      expect(deriveSeed(d.seed, d.stream)).toBe(d.value);
    }
  });

  it('gives the same numbers for the same seed and different ones for another seed', () => {
    const a = createRng(123);
    const b = createRng(123);
    const c = createRng(124);
    const sa = Array.from({ length: 16 }, () => a.next());
    expect(Array.from({ length: 16 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 16 }, () => c.next())).not.toEqual(sa);
    expect(createRng().nextUint32()).toBe(createRng(DEFAULT_SEED).nextUint32());
  });

  it('addCounts tallies exactly the values fillInts draws, odd counts included', () => {
    for (const n of [1, 2, 1000, 65536, 65537, 2 ** 21 + 1]) {
      for (const draws of [0, 1, 999, 1000]) {
        const values = new Int32Array(draws);
        createRng(9).fillInts(values, n);
        const expected = new Int32Array(n);
        for (const v of values) {
          expected[v] = (expected[v] ?? 0) + 1;
        }
        const got = new Int32Array(n);
        createRng(9).addCounts(got, draws);
        // A plain loop: deep-equality on two-million-element arrays takes vitest a minute.
        const mismatch = got.findIndex((c, i) => c !== expected[i]);
        expect(mismatch, `n ${n}, draws ${draws}`).toBe(-1);
      }
    }
  });

  it('fillInts is uniform over [0, n) in both of its digits', () => {
    for (const n of [3, 1000]) {
      const out = new Int32Array(300_000);
      createRng(12).fillInts(out, n);
      const even = new Float64Array(n);
      const odd = new Float64Array(n);
      out.forEach((v, i) => {
        const bins = i % 2 === 0 ? even : odd;
        bins[v] = (bins[v] ?? 0) + 1;
      });
      // Chi-square with n − 1 degrees of freedom for each digit; 6 SDs above its mean.
      for (const bins of [even, odd]) {
        const expected = out.length / 2 / n;
        const chi2 = bins.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
        expect(chi2).toBeLessThan(n - 1 + 6 * Math.sqrt(2 * (n - 1)));
      }
    }
  });

  it('keeps next() in [0, 1) and nextInt(n) in range and roughly uniform', () => {
    const rng = createRng(5);
    const bins = new Array<number>(10).fill(0);
    let outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const u = rng.next();
      if (!(u >= 0 && u < 1)) {
        outside++;
      }
      const k = rng.nextInt(10);
      bins[k] = (bins[k] ?? 0) + 1;
    }
    expect(outside).toBe(0);
    expect(bins).toHaveLength(10); // an out-of-range k would have grown the array
    // Each bin ~ Binomial(1e5, 0.1): SD ≈ 95, so ±600 is > 6 SD.
    for (const b of bins) {
      expect(Math.abs(b - 10_000)).toBeLessThan(600);
    }
  });

  it('draws standard normal variates', () => {
    const rng = createRng(6);
    const xs = Array.from({ length: 50_000 }, () => rng.nextNormal());
    const m = xs.reduce((s, x) => s + x, 0) / xs.length;
    const v = xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
    expect(Math.abs(m)).toBeLessThan(0.02);
    expect(Math.abs(v - 1)).toBeLessThan(0.03);
  });

  it('rejects bad seeds and ranges with clear errors', () => {
    expect(() => createRng(1.5)).toThrow(/seed must be a safe integer/);
    expect(() => createRng(Number.NaN)).toThrow(/seed/);
    expect(() => createRng(1).nextInt(0)).toThrow(/nextInt: n must be an integer/);
    expect(() => createRng(1).nextInt(2.5)).toThrow(/nextInt/);
    expect(() => createRngFromState(0, 0, 0, 0)).toThrow(/all zero/);
  });
});
