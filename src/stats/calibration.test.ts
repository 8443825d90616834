import { describe, expect, it } from 'vitest';
import { compare } from './compare.ts';
import { createRng, type Rng } from './prng.ts';
import { verdictFromSpeedupCI, type Verdict } from './verdict.ts';

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

/** A shuffled copy (Fisher–Yates with the seeded PRNG). */
function shuffled(rng: Rng, xs: readonly number[]): number[] {
  const a = xs.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    [a[i], a[j]] = [a[j] ?? 0, a[i] ?? 0];
  }
  return a;
}

/** Fraction of `trials` comparisons of fresh (baseline, candidate) pairs giving one of `bad`. */
function rate(
  trials: number,
  pair: (rng: Rng) => [number[], number[]],
  bad: readonly Verdict[],
  seed: number,
): { raw: number; guarded: number } {
  const rng = createRng(seed);
  let raw = 0;
  let guarded = 0;
  for (let t = 0; t < trials; t++) {
    const [b, c] = pair(rng);
    // Before the guards: the i.i.d. CI's own verdict. Shuffling hides the recorded order, so
    // compare() sees neither autocorrelation nor drift and takes the i.i.d. bootstrap path.
    const iid = compare(shuffled(rng, b), shuffled(rng, c), { resamples: RESAMPLES, seed: t });
    if (bad.includes(verdictFromSpeedupCI(iid.speedup.ci))) raw++;
    if (bad.includes(compare(b, c, { resamples: RESAMPLES, seed: t }).verdict)) guarded++;
  }
  return { raw: raw / trials, guarded: guarded / trials };
}

const WRONG: readonly Verdict[] = ['faster', 'slower'];

/** AR(1) series of log-times: φ-correlated with marginal SD `sd`, starting in the stationary law. */
function ar1(rng: Rng, n: number, phi: number, sd: number): number[] {
  let e = sd * rng.nextNormal();
  const innovation = sd * Math.sqrt(1 - phi * phi);
  return Array.from({ length: n }, () => {
    e = phi * e + innovation * rng.nextNormal();
    return Math.exp(e);
  });
}

describe('verdict guards (seeded simulation)', () => {
  it('n < 5: A/A false verdicts drop from ≥ 25% (CI alone, n = 2) to 0%', () => {
    const r = rate(300, (rng) => [lognormal(rng, 2, 1, 0.1), lognormal(rng, 2, 1, 0.1)], WRONG, 3);
    expect(r.raw).toBeGreaterThanOrEqual(0.25); // measured 0.33 (scripts/aa-min-samples.ts)
    expect(r.guarded).toBe(0);
  });

  it('AR(1) φ = 0.9, n = 100: A/A false verdicts drop from ~60% to within a 5% rate', () => {
    // The i.i.d. bootstrap treats 100 correlated samples as 100 independent ones (n_eff ≈ 5); the
    // block bootstrap with its AR(1) spread floor measured 4% over 200 trials.
    const trials = 200;
    const r = rate(trials, (rng) => [ar1(rng, 100, 0.9, 0.05), ar1(rng, 100, 0.9, 0.05)], WRONG, 4);
    expect(r.raw).toBeGreaterThanOrEqual(0.4);
    expect(r.guarded * trials).toBeLessThanOrEqual(binomialUpperBound(trials, 0.05, 0.05));
  });

  it("drift: a 4% ramp across a baseline run then a candidate run: false 'slower' ≤ 5%", () => {
    // Same kernel both times; times rise 4% over the 400 samples (n = 200 each, 1% noise), so the
    // candidate's median sits ~2% above the baseline's. Measured: 97% 'slower' from the CI alone.
    const trials = 100;
    const r = rate(
      trials,
      (rng) => {
        const all = Array.from(
          { length: 400 },
          (_, i) => (1 + (0.04 * i) / 400) * Math.exp(0.01 * rng.nextNormal()),
        );
        return [all.slice(0, 200), all.slice(200)];
      },
      ['slower'],
      5,
    );
    expect(r.raw).toBeGreaterThanOrEqual(0.5);
    expect(r.guarded).toBeLessThanOrEqual(0.05);
  });

  it("0.1 ms timer on 1.2 ms kernels, true 3% difference, n = 1000: never 'same'", () => {
    const q = (xs: number[]): number[] => xs.map((x) => Math.round(x * 10) / 10);
    const r = rate(
      30,
      (rng) => [q(lognormal(rng, 1000, 1.2, 0.01)), q(lognormal(rng, 1000, 1.2 * 1.03, 0.01))],
      ['same'],
      6,
    );
    expect(r.raw).toBeGreaterThanOrEqual(0.9); // zero-width CI [1, 1]: 'same' every time
    expect(r.guarded).toBe(0);
  });
});
