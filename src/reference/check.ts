/**
 * Comparing a kernel's output with the f64 reference: which rows to check (all of them for small
 * shapes, a seeded sample of ≥ 64 (b, h, row) triples for large ones) and the error figures.
 */
import { createRng, deriveSeed } from '../stats/index.ts';
import { unmaskedPairs } from '../model/index.ts';
import type { AttentionConfig, Correctness, Dtype, InputTensors } from '../model/index.ts';
import { referenceRows } from './attention.ts';

/** Relative L2 tolerance of the output per dtype (bf16 is here for completeness). */
export const TOLERANCE: Readonly<Record<Dtype, number>> = { f32: 1e-5, f16: 5e-3, bf16: 3e-2 };

/** Rows sampled at random when a shape is too large to check in full. */
export const SAMPLED_ROWS = 64;

/** Reference work (multiply-adds) below which every row is checked. */
export const FULL_CHECK_WORK = 2 ** 25;

/** Linear ids `(b·H + h)·S + i` of the rows to check, sorted, without duplicates. */
export function pickRows(config: AttentionConfig, seed: number): Uint32Array {
  const { batch, heads, seqLen, headDim } = config;
  const total = batch * heads * seqLen;
  // Average keys per row times D, twice (Q·Kᵀ and P·V): long KV caches get sampled rows.
  const perRow = (unmaskedPairs(config) / seqLen) * headDim * 2;
  if (total * perRow <= FULL_CHECK_WORK || total <= SAMPLED_ROWS) {
    return Uint32Array.from({ length: total }, (_, i) => i);
  }
  const chosen = new Set<number>([0, seqLen - 1, total - 1]);
  const rng = createRng(deriveSeed(seed, 0xc4ec));
  // Keep drawing until SAMPLED_ROWS random rows are in, besides the three edge rows.
  while (chosen.size < SAMPLED_ROWS + 3 && chosen.size < total) chosen.add(rng.nextInt(total));
  return Uint32Array.from([...chosen].sort((a, b) => a - b));
}

/** Error figures of `output` (full [B, H, S, D] tensor) on `rows` against the f64 reference. */
export function compareRows(
  config: AttentionConfig,
  output: Float32Array,
  rows: ArrayLike<number>,
  reference: Float64Array,
  tolerance: number,
): Correctness {
  const d = config.headDim;
  const rowsTotal = config.batch * config.heads * config.seqLen;
  let maxAbs = 0;
  let errSq = 0;
  let refSq = 0;
  let firstBad: string | undefined;
  let firstOff: string | undefined;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] ?? 0;
    for (let x = 0; x < d; x++) {
      const got = output[row * d + x] ?? Number.NaN;
      const want = reference[r * d + x] ?? 0;
      if (!Number.isFinite(got)) {
        firstBad ??= describeIndex(config, row, x, got, want);
        continue;
      }
      const err = Math.abs(got - want);
      // The first element off by more than the tolerance (relative, floored at 1 for small
      // values) tells a kernel's author where to look when the check fails.
      if (err > tolerance * Math.max(Math.abs(want), 1)) {
        firstOff ??= describeIndex(config, row, x, got, want);
      }
      if (err > maxAbs) maxAbs = err;
      errSq += err * err;
      refSq += want * want;
    }
  }
  const base = {
    reference: 'f64-cpu',
    rowsChecked: rows.length,
    rowsTotal,
    tolerance,
  };
  if (firstBad !== undefined) {
    return {
      ...base,
      maxAbsErr: null,
      relL2Err: null,
      passed: false,
      note: `non-finite output (the NaN poison was not overwritten?) at ${firstBad}`,
    };
  }
  const relL2 = refSq > 0 ? Math.sqrt(errSq / refSq) : Math.sqrt(errSq);
  const passed = relL2 <= tolerance;
  return {
    ...base,
    maxAbsErr: maxAbs,
    relL2Err: relL2,
    passed,
    ...(!passed && firstOff !== undefined ? { note: `first mismatch at ${firstOff}` } : {}),
  };
}

function describeIndex(
  config: AttentionConfig,
  row: number,
  x: number,
  got: number,
  want: number,
): string {
  const s = config.seqLen;
  const bh = Math.floor(row / s);
  const b = Math.floor(bh / config.heads);
  const h = bh % config.heads;
  return `[b=${b}, h=${h}, s=${row % s}, d=${x}] (got ${got}, want ${want.toPrecision(6)})`;
}

/** Checks `output` against the reference on sampled rows (one call: pick, compute, compare). */
export function checkOutput(
  config: AttentionConfig,
  inputs: InputTensors,
  output: Float32Array,
  seed: number,
): Correctness {
  const rows = pickRows(config, seed);
  const reference = referenceRows(config, inputs, rows);
  return compareRows(config, output, rows, reference, TOLERANCE[config.dtype]);
}
