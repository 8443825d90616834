import { describe, expect, it } from 'vitest';
import { validateConfig } from '../model/index.ts';
import { resolveKernel } from './registry.ts';
import { testTraits } from './testing.ts';

describe('WebGPU kernels and K/V shapes', () => {
  it('refuse grouped-query heads and S ≠ Skv with the reason until a kernel supports them', () => {
    const decode = validateConfig({
      batch: 1,
      heads: 8,
      kvHeads: 8,
      seqLen: 1,
      kvSeqLen: 512,
      headDim: 64,
      causal: true,
      dtype: 'f32',
    });
    expect(() => resolveKernel('flash-f32', decode, testTraits())).toThrow(
      'config.kvSeqLen: webgpu/flash-f32 does not support a KV length unlike the query length (kvSeqLen 512 ≠ seqLen 1) yet',
    );
    // The square problem written out explicitly still runs.
    const square = validateConfig({ ...decode, kvSeqLen: 1 });
    expect(resolveKernel('flash-f32', square, testTraits()).id).toBe('flash-f32');
  });
});
