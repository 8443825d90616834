/**
 * Benchmark of attnlab/stats: compare() of two 1,000-sample sets with 10,000 BCa resamples.
 * Prints the median wall time over several runs (after warm-up). Run: npm run bench:stats
 */

import { compare, createRng } from '../src/stats/index.ts';

const N = 1000;
const RESAMPLES = 10_000;
const WARMUP = 3;
const RUNS = 15;

/** Lognormal timings around `scaleMs` with log-SD `sigma`, from a seeded generator. */
function timings(seed: number, scaleMs: number, sigma: number): Float64Array {
  const rng = createRng(seed);
  const out = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    out[i] = scaleMs * Math.exp(sigma * rng.nextNormal());
  }
  return out;
}

const baseline = timings(1, 1.3, 0.05);
const candidate = timings(2, 1.25, 0.05);

const times: number[] = [];
let verdict = '';
for (let r = 0; r < WARMUP + RUNS; r++) {
  const t0 = performance.now();
  const result = compare(baseline, candidate, { resamples: RESAMPLES, method: 'bca', seed: r });
  const dt = performance.now() - t0;
  if (r >= WARMUP) {
    times.push(dt);
  }
  verdict = result.verdict;
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)] ?? NaN;
const min = times[0] ?? NaN;
const max = times[times.length - 1] ?? NaN;
console.log(
  `compare(): 2 × ${N} samples, ${RESAMPLES} BCa resamples — median ${median.toFixed(1)} ms ` +
    `(min ${min.toFixed(1)}, max ${max.toFixed(1)}, ${RUNS} runs after ${WARMUP} warm-up; ` +
    `verdict ${verdict}; node ${process.version})`,
);
