import { describe, expect, it } from 'vitest';
import { compare } from './compare.ts';
import { createRng, type Rng } from './prng.ts';
import type { Verdict } from './verdict.ts';

// 2,000 resamples instead of the default 10,000 keep these comparisons to a few seconds; the
// rates barely move with it.
const RESAMPLES = 2000;

function lognormal(rng: Rng, n: number, scale: number, sigma: number): number[] {
  return Array.from({ length: n }, () => scale * Math.exp(sigma * rng.nextNormal()));
}

/** Verdicts of `trials` seeded comparisons: n lognormal samples at scale 1 vs `candidateScale`. */
function verdicts(
  seed: number,
  trials: number,
  n: number,
  candidateScale: number,
  sigma: number,
): Verdict[] {
  const rng = createRng(seed);
  return Array.from({ length: trials }, (_, t) => {
    const base = lognormal(rng, n, 1, sigma);
    const cand = lognormal(rng, n, candidateScale, sigma);
    return compare(base, cand, { resamples: RESAMPLES, seed: t }).verdict;
  });
}

/** Smallest k with P(X > k) ≤ alpha for X ~ Binomial(n, p). */
function binomialUpperBound(n: number, p: number, alpha: number): number {
  let pmf = (1 - p) ** n;
  let cdf = pmf;
  let k = 0;
  while (1 - cdf > alpha) {
    pmf *= ((n - k) / (k + 1)) * (p / (1 - p));
    cdf += pmf;
    k++;
  }
  return k;
}

describe('verdict calibration (seeded simulation)', () => {
  it("A/A: the rate of 'faster'/'slower' verdicts is consistent with at most 5%", () => {
    // σ = 10% run-to-run noise: the CI usually spans the ±2% band, so this tests the speedup CI's
    // coverage rather than the band (with 1% noise nearly every A/A verdict is 'same').
    //
    // Why not "observed ≤ 5%": the long-run rate is at the nominal level (measured 5.0% over
    // 4,000 trials; 4.7% over 3,000 with an earlier random stream), and a count from a finite run
    // scatters around it — 200 trials have a binomial SD of 1.5 points — so a literal ≤ 5% check
    // passes or fails with the seed. Instead: 1,000 trials, failing when the count exceeds what a
    // true 5% rate gives with probability 95% (one-sided binomial test). A true 7% rate fails this
    // with probability ≈ 0.82; this seed's run sees 50 / 1,000.
    const trials = 1000;
    const wrong = verdicts(2025, trials, 100, 1, 0.1).filter(
      (v) => v === 'faster' || v === 'slower',
    ).length;
    const bound = binomialUpperBound(trials, 0.05, 0.05);
    expect(bound).toBe(62);
    expect(wrong).toBeLessThanOrEqual(bound);
  });

  it("a true 2% speedup (n = 200, 1% noise) is called 'faster' in at least 90% of 200 trials", () => {
    // The candidate takes 2% less time: speedup = 1 / 0.98 ≈ 1.0204. Measured power ≈ 98.5%.
    const trials = 200;
    const faster = verdicts(2026, trials, 200, 0.98, 0.01).filter((v) => v === 'faster').length;
    expect(faster / trials).toBeGreaterThanOrEqual(0.9);
  });
});
