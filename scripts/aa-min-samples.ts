/**
 * A/A simulation behind `MIN_SAMPLES` (src/stats/warnings.ts): two samples of n draws from one
 * lognormal distribution, compared with `compare()`; how often does the speedup CI alone (before
 * the guards) call them 'faster' or 'slower'? The nominal rate of a 95% CI is 5%; with tiny n the
 * bootstrap CI is far too narrow. Run: `npx tsx scripts/aa-min-samples.ts [trials]`.
 */
import { compare, createRng, verdictFromSpeedupCI } from '../src/stats/index.ts';

const trials = Number(process.argv[2] ?? 2000);
const sigma = 0.1; // 10% run-to-run noise, as in src/stats/calibration.test.ts
const rng = createRng(1515);
const draw = (n: number): number[] =>
  Array.from({ length: n }, () => Math.exp(sigma * rng.nextNormal()));

console.log(
  `A/A false-verdict rate, lognormal σ = ${sigma}, ${trials} trials per n, 2,000 resamples`,
);
console.log('n   false verdicts');
for (const n of [1, 2, 3, 4, 5, 6, 8, 10, 20]) {
  let wrong = 0;
  for (let t = 0; t < trials; t++) {
    const r = compare(draw(n), draw(n), { resamples: 2000, seed: t });
    const v = verdictFromSpeedupCI(r.speedup.ci);
    if (v === 'faster' || v === 'slower') wrong++;
  }
  console.log(`${String(n).padEnd(3)} ${((100 * wrong) / trials).toFixed(1)}%`);
}
