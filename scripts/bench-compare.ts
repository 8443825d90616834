/**
 * Times `compare()` of 2 × 100,000 samples (seeded lognormal, 2% noise, 10,000 resamples, BCa),
 * the size at which the bootstrap used to take minutes and Hodges–Lehmann threw. Prints each
 * repetition and the median. Run: `npx tsx scripts/bench-compare.ts [n] [repetitions] [--ar φ]`;
 * `--ar 0.9` makes each side an AR(1) series (lag-1 correlation φ), which takes the block
 * bootstrap.
 */
import { cpus } from 'node:os';
import { compare, createRng, hodgesLehmann, median } from '../src/stats/index.ts';

const args = process.argv.slice(2);
const arAt = args.indexOf('--ar');
const phi = arAt >= 0 ? Number(args[arAt + 1]) : 0;
const positional = arAt >= 0 ? args.filter((_, i) => i !== arAt && i !== arAt + 1) : args;
const n = Number(positional[0] ?? 100_000);
const reps = Number(positional[1] ?? 5);
const rng = createRng(2026);
const draw = (scale: number): number[] => {
  let x = 0;
  return Array.from({ length: n }, () => {
    x = phi * x + Math.sqrt(1 - phi * phi) * rng.nextNormal();
    return scale * Math.exp(0.02 * x);
  });
};
const base = draw(1.2);
const cand = draw(1.18);

const time = (f: () => unknown): number => {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
};

console.log(
  `compare() of 2 × ${n.toLocaleString('en')} samples${phi > 0 ? `, AR(1) φ = ${phi}` : ''}, 10,000 resamples, BCa`,
);
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
