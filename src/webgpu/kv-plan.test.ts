/**
 * Planning for grouped-query heads and decode without a GPU: which kernels refuse K/V shapes and
 * why, the `best` choice, the split-KV tiles, dispatch sizes, scratch and the packed Params.
 */
import { describe, expect, it } from 'vitest';
import type { AttentionConfig } from '../model/index.ts';
import { packParams } from './buffers.ts';
import { planMemory } from './memory.ts';
import { bestKernel, kernelInfos, resolveKernel } from './registry.ts';
import { TEST_FEATURES, TEST_LIMITS, kernelById, testTraits } from './testing.ts';
import { splitKvBytes } from './tiles-split.ts';
import { planKernel, workgroupCounts } from './tiles.ts';

/** (B, H, Hkv, S, Skv, D) = (8, 32, 8, 1, 8192, 128) f16: Llama-3-8B decode on an 8k cache. */
const DECODE: AttentionConfig = {
  batch: 8,
  heads: 32,
  kvHeads: 8,
  seqLen: 1,
  kvSeqLen: 8192,
  headDim: 128,
  causal: false,
  dtype: 'f16',
};
const matrixTraits = () =>
  testTraits({
    features: new Set([...TEST_FEATURES, 'chromium-experimental-subgroup-matrix']),
    subgroupMatrixF16: true,
  });

describe('K/V shapes in the registry', () => {
  it('refuses GQA and S ≠ Skv on the subgroup-matrix kernels, naming the fields and why', () => {
    expect(() => resolveKernel('flash-sgmat-f16-v2', DECODE, matrixTraits())).toThrow(
      /config\.kvHeads\/kvSeqLen: flash-sgmat-f16-v2 supports only kvHeads = heads and kvSeqLen = seqLen: .*\(got heads 32, kvHeads 8, seqLen 1, kvSeqLen 8192\)/,
    );
    const square = { ...DECODE, kvHeads: 32, kvSeqLen: 1 };
    expect(resolveKernel('flash-sgmat-f16-v2', square, matrixTraits()).id).toBe(
      'flash-sgmat-f16-v2',
    );
  });

  it('lists which kernels take K/V shapes (KernelInfo.kvShape, for the lab and the runner)', () => {
    const infos = kernelInfos(matrixTraits());
    expect(infos.filter((k) => k.kvShape !== true).map((k) => k.id)).toEqual([
      'flash-sgmat-f16',
      'flash-sgmat-f32x3',
      'flash-sgmat-f16-v2',
      'flash-sgmat-f32x3-v2',
    ]);
    expect(infos.find((k) => k.id === 'flash-decode-f16')).toMatchObject({
      kvShape: true,
      available: true,
    });
  });

  it('accepts K/V shapes on the portable kernels', () => {
    for (const id of ['naive-f32', 'flash-f32', 'flash-subgroup', 'flash-decode-f32']) {
      expect(resolveKernel(id, { ...DECODE, dtype: 'f32' }, testTraits()).id).toBe(id);
    }
    expect(resolveKernel('flash-f16', DECODE, testTraits()).id).toBe('flash-f16');
  });

  it('picks the split-KV kernel as best for small S and a prefill kernel otherwise', () => {
    expect(bestKernel(DECODE, matrixTraits())?.id).toBe('flash-decode-f16');
    expect(bestKernel({ ...DECODE, dtype: 'f32', seqLen: 16 }, testTraits())?.id).toBe(
      'flash-decode-f32',
    );
    const prefill = { ...DECODE, seqLen: 2048, kvSeqLen: 2048 };
    // GQA rules out the subgroup-matrix kernels; a square problem gets them.
    expect(bestKernel(prefill, matrixTraits())?.id).toBe('flash-f16');
    expect(bestKernel({ ...prefill, kvHeads: 32 }, matrixTraits())?.id).toBe('flash-sgmat-f16-v2');
    expect(resolveKernel('best', { ...prefill, dtype: 'f32' }, testTraits()).id).toBe(
      'flash-subgroup',
    );
  });
});

describe('split-KV planning', () => {
  it('uses subgroup lanes per key where subgroups exist and one lane otherwise', () => {
    const plan = planKernel(kernelById('flash-decode-f16'), 128, testTraits());
    expect(plan.consts).toEqual({ D: 128, WG: 128, L: 8, C: 256, R: 8 });
    expect(plan.files).toEqual([
      'flash-f16/half_native.wgsl',
      'flash-decode-f32/lanes_subgroup.wgsl',
      'flash-decode-f16/flash_decode_f16.wgsl',
    ]);
    const portable = planKernel(
      kernelById('flash-decode-f16'),
      128,
      testTraits({ features: new Set(['timestamp-query']) }),
    );
    expect(portable.consts.L).toBe(1);
    expect(portable.files).toEqual([
      'flash-f16/half_emulated.wgsl',
      'flash-decode-f32/lanes_workgroup.wgsl',
      'flash-decode-f16/flash_decode_f16.wgsl',
    ]);
    expect(portable.params.math).toBe('f32 (no shader-f16)');
  });

  it('halves the chunk to fit workgroup memory and says so when nothing fits', () => {
    const small = testTraits({}, { maxComputeWorkgroupStorageSize: 8192 });
    const plan = planKernel(kernelById('flash-decode-f32'), 128, small);
    expect(plan.consts.C).toBe(32);
    expect(splitKvBytes(128, 4, 8, 32, 128)).toBeLessThanOrEqual(8192);
    expect(splitKvBytes(128, 4, 8, 64, 128)).toBeGreaterThan(8192);
    const tiny = testTraits({}, { maxComputeWorkgroupStorageSize: 1024 });
    expect(() => planKernel(kernelById('flash-decode-f32'), 128, tiny)).toThrow(
      /flash-decode-f32 at D=128 needs \d+ bytes of workgroup memory .* maxComputeWorkgroupStorageSize is 1024/,
    );
  });

  it('launches one workgroup per K/V head × row block × chunk, then one per 128 outputs', () => {
    const plan = planKernel(kernelById('flash-decode-f16'), 128, testTraits());
    // 8·8 K/V heads × 1 block of 4 query rows × 8192/256 chunks; 8·32 rows × 32 vec4s / 128.
    expect(workgroupCounts(plan, DECODE)).toEqual([2048, 64]);
    // MQA, S = 3: 32·3 = 96 query rows per K/V head → 12 blocks of 8; 300 keys → 2 chunks.
    const mqa = { ...DECODE, batch: 1, kvHeads: 1, seqLen: 3, kvSeqLen: 300 };
    expect(workgroupCounts(plan, mqa)).toEqual([24, 24]);
  });

  it('sizes K/V by B·Hkv·Skv·D and the partials by chunks × rows × (D + 4) floats', () => {
    const plan = planKernel(kernelById('flash-decode-f16'), 128, testTraits());
    const memory = planMemory(DECODE, plan.kernel, TEST_LIMITS, 'warm', 'dawn', plan.consts);
    expect(memory.tensorBytes).toBe(8 * 32 * 1 * 128 * 2);
    expect(memory.kvTensorBytes).toBe(8 * 8 * 8192 * 128 * 2);
    expect(memory.scratchBytes).toBe(32 * 8 * 32 * 1 * 132 * 4);
    expect(memory.estimate.parts.partials).toBe(memory.scratchBytes);
    const naive = { ...DECODE, dtype: 'f32' as const, seqLen: 3, kvSeqLen: 300 };
    expect(
      planMemory(naive, kernelById('naive-f32'), TEST_LIMITS, 'warm', 'dawn').scratchBytes,
    ).toBe(8 * 32 * 3 * 300 * 4);
  });

  it('packs kvSeqLen and the query heads per K/V head into Params', () => {
    const u = new Uint32Array(packParams(DECODE));
    expect([u[0], u[1], u[2], u[3], u[6]]).toEqual([1, 8 * 32, 0, 8192, 4]);
  });
});
