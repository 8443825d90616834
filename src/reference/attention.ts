/**
 * The f64 CPU attention reference: softmax(Q·Kᵀ·scale)·V on [B, H, S, D] tensors, for every row
 * or for chosen (b, h, row) triples, so large shapes can be checked on a sample of rows.
 */
import { resolvedScale } from '../model/index.ts';
import type { AttentionConfig, InputTensors } from '../model/index.ts';

/**
 * Reference output rows. `rows` holds linear row ids `(b·H + h)·S + i`; the result holds D f64
 * values per requested row, in the same order.
 */
export function referenceRows(
  config: AttentionConfig,
  inputs: InputTensors,
  rows: ArrayLike<number>,
): Float64Array {
  const { seqLen: s, headDim: d, causal } = config;
  const scale = resolvedScale(config);
  const { q, k, v } = inputs;
  const out = new Float64Array(rows.length * d);
  const scores = new Float64Array(s);
  const acc = new Float64Array(d);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] ?? 0;
    const i = row % s;
    const headBase = (row - i) * d; // element offset of (b, h, 0, 0)
    const qOff = row * d;
    const keys = causal ? i + 1 : s;
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < keys; j++) {
      const kOff = headBase + j * d;
      let dot = 0;
      for (let x = 0; x < d; x++) dot += (q[qOff + x] ?? 0) * (k[kOff + x] ?? 0);
      const score = dot * scale;
      scores[j] = score;
      if (score > max) max = score;
    }
    acc.fill(0);
    let sum = 0;
    for (let j = 0; j < keys; j++) {
      const p = Math.exp((scores[j] ?? 0) - max);
      sum += p;
      const vOff = headBase + j * d;
      for (let x = 0; x < d; x++) acc[x] = (acc[x] ?? 0) + p * (v[vOff + x] ?? 0);
    }
    for (let x = 0; x < d; x++) out[r * d + x] = (acc[x] ?? 0) / sum;
  }
  return out;
}

/** The full reference output [B, H, S, D] in f64. */
export function referenceAttention(config: AttentionConfig, inputs: InputTensors): Float64Array {
  const total = config.batch * config.heads * config.seqLen;
  const rows = new Uint32Array(total);
  for (let r = 0; r < total; r++) rows[r] = r;
  return referenceRows(config, inputs, rows);
}
