import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RIDGE_FLOP_PER_BYTE,
  arithmeticIntensity,
  attentionBytes,
  attentionFlops,
  boundOf,
  estimateMemory,
  gbps,
  headlineFigure,
  ridgePoint,
  tflops,
  unmaskedPairs,
  validateConfig,
  visibleKeys,
} from './index.ts';
import type { AttentionConfig } from './index.ts';

const base = { batch: 1, heads: 1, headDim: 8, dtype: 'f32' } as const;
const cfg = (seqLen: number, kvSeqLen: number, causal: boolean): AttentionConfig =>
  validateConfig({ ...base, seqLen, kvSeqLen, causal });

/** Brute force: count (i, j) with j ≤ i + Skv − S, the bottom-right causal mask. */
function bruteForcePairs(s: number, skv: number): number {
  let n = 0;
  for (let i = 0; i < s; i++) for (let j = 0; j < skv; j++) if (j <= i + skv - s) n++;
  return n;
}

describe('causal pairs aligned bottom-right', () => {
  it('S=3, Skv=5: the rows see 3, 4 and 5 keys, 12 pairs (counted by hand)', () => {
    const c = cfg(3, 5, true);
    expect([0, 1, 2].map((i) => visibleKeys(c, i))).toEqual([3, 4, 5]);
    expect(unmaskedPairs(c)).toBe(12);
    expect(attentionFlops(c)).toBe(4 * 12 * 8);
  });

  it('S=5, Skv=3: the first two rows see no key, the others 1, 2, 3 — 6 pairs', () => {
    const c = cfg(5, 3, true);
    expect([0, 1, 2, 3, 4].map((i) => visibleKeys(c, i))).toEqual([0, 0, 1, 2, 3]);
    expect(unmaskedPairs(c)).toBe(6);
  });

  it('S=Skv=4 is the lower triangle with its diagonal: 10 pairs', () => {
    expect(unmaskedPairs(cfg(4, 4, true))).toBe(10);
  });

  it('decode S=1 sees the whole cache, causal or not', () => {
    expect(unmaskedPairs(cfg(1, 8192, true))).toBe(8192);
    expect(unmaskedPairs(cfg(1, 8192, false))).toBe(8192);
  });

  it('matches a brute-force count on every shape up to 12×12', () => {
    for (let s = 1; s <= 12; s++) {
      for (let skv = 1; skv <= 12; skv++) {
        expect(unmaskedPairs(cfg(s, skv, true)), `S=${s} Skv=${skv}`).toBe(bruteForcePairs(s, skv));
        expect(unmaskedPairs(cfg(s, skv, false))).toBe(s * skv);
      }
    }
  });
});

describe('cost of grouped-query decode', () => {
  // Llama-3-8B decode against an 8k cache: B=8 H=32 Hkv=8 S=1 Skv=8192 D=128 f16.
  const llama = validateConfig({
    batch: 8,
    heads: 32,
    kvHeads: 8,
    seqLen: 1,
    kvSeqLen: 8192,
    headDim: 128,
    causal: true,
    dtype: 'f16',
  });

  it('FLOPs = 4·B·H·S·Skv·D and bytes = (Q+O)·B·H·S·D·2 + (K+V)·B·Hkv·Skv·D·2', () => {
    expect(attentionFlops(llama)).toBe(4 * 8 * 32 * 1 * 8192 * 128);
    expect(attentionBytes(llama)).toBe(2 * 8 * 32 * 1 * 128 * 2 + 2 * 8 * 8 * 8192 * 128 * 2);
    // 1,073,741,824 FLOP over 268,566,528 B
    expect(attentionFlops(llama)).toBe(1_073_741_824);
    expect(attentionBytes(llama)).toBe(268_566_528);
    expect(arithmeticIntensity(llama)).toBeCloseTo(3.998, 3);
  });

  it('is memory-bound: the headline is GB/s against the copy ceiling', () => {
    const ceilings = { peakTflops: 989, peakGbps: 3000 };
    expect(ridgePoint(ceilings)).toBeCloseTo(329.667, 3);
    expect(boundOf(llama, ceilings)).toBe('memory');
    // 268.566528 MB in 0.1 ms = 2685.66528 GB/s = 89.5% of 3000
    const h = headlineFigure(llama, 0.1, ceilings);
    expect(h.unit).toBe('GB/s');
    expect(h.value).toBeCloseTo(2685.66528, 6);
    expect(h.fractionOfCeiling).toBeCloseTo(0.89522176, 8);
    expect(gbps(llama, 0.1)).toBe(h.value);
  });

  it('long prefill is compute-bound: the headline is TFLOP/s, and without ceilings the fallback ridge decides', () => {
    const prefill = validateConfig({
      batch: 1,
      heads: 32,
      kvHeads: 8,
      seqLen: 2048,
      headDim: 128,
      causal: false,
      dtype: 'f16',
    });
    // 4·32·2048²·128 FLOP over (2·32 + 2·8)·2048·128·2 B = 2048·32·4/(80·2) = 1638.4 FLOP/B
    expect(arithmeticIntensity(prefill)).toBeCloseTo(1638.4, 9);
    expect(boundOf(prefill, { peakTflops: 989, peakGbps: 3000 })).toBe('compute');
    expect(boundOf(prefill)).toBe('compute');
    expect(boundOf(llama)).toBe('memory');
    expect(DEFAULT_RIDGE_FLOP_PER_BYTE).toBe(330);
    const h = headlineFigure(prefill, 1, { peakTflops: 989 });
    expect(h).toEqual({
      bound: 'compute',
      value: tflops(prefill, 1),
      unit: 'TFLOP/s',
      fractionOfCeiling: tflops(prefill, 1) / 989,
    });
    expect(headlineFigure(prefill, 1).fractionOfCeiling).toBeNull();
  });

  it('estimates memory with K and V at the KV shape and the S×Skv scores', () => {
    const c = validateConfig({
      batch: 2,
      heads: 4,
      kvHeads: 2,
      seqLen: 3,
      kvSeqLen: 100,
      headDim: 8,
      causal: true,
      dtype: 'f32',
    });
    const q = 2 * 4 * 3 * 8 * 4;
    const kv = 2 * 2 * 100 * 8 * 4;
    const est = estimateMemory(c, 'webgpu', { materializesScores: true });
    expect(est.parts['q,k,v']).toBe(q + 2 * kv);
    expect(est.parts.o).toBe(q);
    expect(est.parts.scores).toBe(2 * 4 * 3 * 100 * 4);
    expect(est.largestBufferBytes).toBe(kv);
    expect(est.totalBytes).toBe(2 * q + 2 * kv + 2 * 4 * 3 * 100 * 4);
  });
});
