/**
 * The f64 CPU attention reference: softmax(Q·Kᵀ·scale)·V with Q, O [B, H, S, D] and K, V
 * [B, Hkv, Skv, D] (query head h reads KV head ⌊h·Hkv/H⌋), for every row or for chosen
 * (b, h, row) triples, so large shapes can be checked on a sample of rows. Causal is aligned
 * bottom-right (query i sees keys j ≤ i + Skv − S); a row that sees no key (S > Skv) is 0, as
 * FlashAttention writes it.
 */
import { kvHeadsOf, kvSeqLenOf, resolvedScale, visibleKeys } from '../model/index.ts';
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
  const { seqLen: s, headDim: d, heads } = config;
  const skv = kvSeqLenOf(config);
  const group = heads / kvHeadsOf(config); // query heads per KV head
  const scale = resolvedScale(config);
  const { q, k, v } = inputs;
  const out = new Float64Array(rows.length * d);
  const scores = new Float64Array(skv);
  const acc = new Float64Array(d);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] ?? 0;
    const i = row % s;
    const bh = (row - i) / s;
    const b = Math.floor(bh / heads);
    const kvHead = b * (heads / group) + Math.floor((bh % heads) / group);
    const headBase = kvHead * skv * d; // element offset of K/V (b, ⌊h·Hkv/H⌋, 0, 0)
    const qOff = row * d;
    const keys = visibleKeys(config, i);
    if (keys === 0) continue; // fully masked row: output stays 0
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
