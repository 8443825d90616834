import { describe, expect, it } from 'vitest';
import {
  arithmeticIntensity,
  attentionBytes,
  attentionFlops,
  estimateMemory,
  floorMs,
  formatBytes,
  gbps,
  tflops,
  validateConfig,
} from './index.ts';

const h100Shape = validateConfig({
  batch: 8,
  heads: 16,
  seqLen: 2048,
  headDim: 128,
  causal: false,
  dtype: 'f16',
});

describe('cost model', () => {
  it('counts 4·B·H·S²·D FLOPs, and causal exactly S·(S+1)/2 pairs (not half of S²)', () => {
    expect(attentionFlops(h100Shape)).toBe(4 * 8 * 16 * 2048 * 2048 * 128);
    expect(attentionFlops({ ...h100Shape, causal: true })).toBe(
      4 * 8 * 16 * ((2048 * 2049) / 2) * 128,
    );
  });

  it('counts minimal bytes as Q, K, V read and O written', () => {
    expect(attentionBytes(h100Shape)).toBe(4 * 8 * 16 * 2048 * 128 * 2);
    expect(attentionBytes({ ...h100Shape, dtype: 'f32' })).toBe(4 * 8 * 16 * 2048 * 128 * 4);
    expect(arithmeticIntensity(h100Shape)).toBe(2048 / 2);
  });

  it('turns a time into TFLOP/s and GB/s', () => {
    // 274.9 GFLOP in 0.4 ms = 687.2 TFLOP/s; 268.4 MB in 0.4 ms = 671.1 GB/s
    expect(tflops(h100Shape, 0.4)).toBeCloseTo(687.19476736, 6);
    expect(gbps(h100Shape, 0.4)).toBeCloseTo(671.08864, 6);
  });

  it('takes the larger of the compute and memory floors', () => {
    const f = floorMs(h100Shape, { peakTflops: 989, peakGbps: 3350 });
    expect(f).toBeCloseTo((attentionFlops(h100Shape) / 989e12) * 1e3, 12);
    expect(floorMs(h100Shape, {})).toBeNull();
  });

  it('adds the S×S scores only for kernels that store them, and the L2 flush for CUDA cold runs', () => {
    const c = validateConfig({
      batch: 1,
      heads: 1,
      seqLen: 1024,
      headDim: 64,
      causal: false,
      dtype: 'f32',
    });
    const tensor = 1024 * 64 * 4;
    expect(estimateMemory(c, 'webgpu').totalBytes).toBe(4 * tensor);
    const naive = estimateMemory(c, 'webgpu', { materializesScores: true });
    expect(naive.parts.scores).toBe(1024 * 1024 * 4);
    expect(naive.largestBufferBytes).toBe(1024 * 1024 * 4);
    const cuda = estimateMemory(c, 'cuda');
    expect(cuda.parts['l2 flush']).toBe(256 * 1024 * 1024);
    expect(estimateMemory(c, 'cuda', { coldCache: false }).parts['l2 flush']).toBeUndefined();
  });

  it('formats bytes with binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.00 GiB');
  });
});
