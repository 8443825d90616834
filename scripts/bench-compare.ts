/**
 * Times `compare()` of 2 × 100,000 samples (seeded lognormal, 2% noise, 10,000 resamples, BCa),
 * the size at which the bootstrap used to take minutes and Hodges–Lehmann threw. Prints each
 * repetition and the median. Run: `npx tsx scripts/bench-compare.ts [n] [repetitions]`.
 */
import { cpus } from 'node:os';
import { compare, createRng, hodgesLehmann, median } from '../src/stats/index.ts';

const n = Number(process.argv[2] ?? 100_000);
const reps = Number(process.argv[3] ?? 5);
const rng = createRng(2026);
const draw = (scale: number): number[] =>
  Array.from({ length: n }, () => scale * Math.exp(0.02 * rng.nextNormal()));
const base = draw(1.2);
const cand = draw(1.18);

const time = (f: () => unknown): number => {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
};

console.log(`compare() of 2 × ${n.toLocaleString('en')} samples, 10,000 resamples, BCa`);
console.log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`);
const total: number[] = [];
for (let r = 0; r < reps; r++) {
  const ms = time(() => compare(base, cand, { seed: r }));
  total.push(ms);
  console.log(`  run ${r + 1}: ${(ms / 1000).toFixed(2)} s`);
}
console.log(
  `median ${(median(total) / 1000).toFixed(2)} s, max ${(Math.max(...total) / 1000).toFixed(2)} s`,
);
console.log(
  `of which Hodges–Lehmann alone: ${(time(() => hodgesLehmann(base, cand)) / 1000).toFixed(2)} s`,
);
