/**
 * Benchmark of attnlab/stats: compare() of two 1,000-sample sets with 10,000 BCa resamples.
 * Prints the median wall time over several runs (after warm-up), and the median CPU time of this
 * process, which is the steadier figure when other work shares the cores (the load average is
 * printed so a reader can tell). Run: npm run bench:stats
 */

import { loadavg } from 'node:os';

import { compare, createRng, describe } from '../src/stats/index.ts';

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

const wall: number[] = [];
const cpu: number[] = [];
let verdict = '';
for (let r = 0; r < WARMUP + RUNS; r++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const result = compare(baseline, candidate, { resamples: RESAMPLES, method: 'bca', seed: r });
  const dt = performance.now() - t0;
  const dc = process.cpuUsage(c0);
  if (r >= WARMUP) {
    wall.push(dt);
    cpu.push((dc.user + dc.system) / 1000);
  }
  verdict = result.verdict;
}
const w = describe(wall);
console.log(
  `compare(): 2 × ${N} samples, ${RESAMPLES} BCa resamples — median wall ${w.median.toFixed(1)} ms ` +
    `(min ${w.min.toFixed(1)}, max ${w.max.toFixed(1)}), ` +
    `median CPU ${describe(cpu).median.toFixed(1)} ms; ${RUNS} runs after ${WARMUP} warm-up; ` +
    `verdict ${verdict}; node ${process.version}; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
);
