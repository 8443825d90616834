import { describe, expect, it } from 'vitest';
import { KERNELS } from '../../shaders/index.ts';
import type { AttentionConfig } from '../model/index.ts';
import { EngineError } from './errors.ts';
import { MAX_INPUT_SETS, inputSetsFor, planMemory } from './memory.ts';
import { kernelInfos, kernelsForDtype, resolveKernel } from './registry.ts';
import { kernelById, TEST_LIMITS, testTraits } from './testing.ts';
import { foldWorkgroups, planKernel, workgroupCounts } from './tiles.ts';

const LIMITS = TEST_LIMITS;
const traits = testTraits;
const kernel = kernelById;

const config = (over: Partial<AttentionConfig> = {}): AttentionConfig => ({
  batch: 2,
  heads: 4,
  seqLen: 256,
  headDim: 64,
  causal: false,
  dtype: 'f32',
  ...over,
});

describe('tile selection from limits', () => {
  it('uses the GPU preset when workgroup memory allows it', () => {
    const plan = planKernel(kernel('flash-f32'), 64, traits());
    expect(plan.consts).toEqual({ D: 64, BR: 64, BC: 32 });
    expect(plan.params).toMatchObject({ Br: 64, Bc: 32, workgroupSize: 64 });
  });

  it('shrinks the K/V tile to fit maxComputeWorkgroupStorageSize', () => {
    // Two f32 tiles of BC×128: 16 KiB allows BC = 16; the WebGPU default 16 KiB at D = 128.
    expect(
      planKernel(kernel('flash-f32'), 128, traits({}, { maxComputeWorkgroupStorageSize: 16_384 }))
        .consts.BC,
    ).toBe(16);
    expect(
      planKernel(kernel('flash-f32'), 128, traits({}, { maxComputeWorkgroupStorageSize: 8_192 }))
        .consts.BC,
    ).toBe(8);
  });

  it('refuses a head dim whose smallest tiles do not fit, with the numbers', () => {
    const tiny = traits({}, { maxComputeWorkgroupStorageSize: 2_048 });
    expect(() => planKernel(kernel('flash-f32'), 128, tiny)).toThrow(
      /needs 4096 bytes of workgroup memory.*maxComputeWorkgroupStorageSize is 2048/,
    );
  });

  it('caps workgroups by the invocation limits', () => {
    const small = traits(
      {},
      { maxComputeInvocationsPerWorkgroup: 32, maxComputeWorkgroupSizeX: 32 },
    );
    expect(planKernel(kernel('flash-f32'), 64, small).consts.BR).toBe(32);
    expect(planKernel(kernel('naive-f32'), 64, small).consts.WG).toBe(32);
  });

  it('halves tiles for f16 only when the math is native f16', () => {
    const native = planKernel(
      kernel('flash-f16'),
      128,
      traits({}, { maxComputeWorkgroupStorageSize: 16_384 }),
    );
    expect(native.nativeF16).toBe(true);
    expect(native.consts.BC).toBe(32);
    expect(native.files[0]).toBe('flash-f16/half_native.wgsl');
    const emulated = planKernel(
      kernel('flash-f16'),
      128,
      traits(
        { features: new Set(['timestamp-query']) },
        { maxComputeWorkgroupStorageSize: 16_384 },
      ),
    );
    expect(emulated.nativeF16).toBe(false);
    expect(emulated.consts.BC).toBe(16);
    expect(emulated.params.math).toBe('f32 (no shader-f16)');
    expect(emulated.files[0]).toBe('flash-f16/half_emulated.wgsl');
  });

  it('picks lanes per row from the subgroup sizes and the head dim', () => {
    expect(planKernel(kernel('flash-subgroup'), 64, traits()).consts).toMatchObject({
      L: 8,
      WG: 256,
    });
    expect(planKernel(kernel('flash-subgroup'), 8, traits()).consts.L).toBe(2);
    const sw = planKernel(
      kernel('flash-subgroup'),
      64,
      traits({ subgroupMinSize: 4, subgroupMaxSize: 4, software: true }),
    );
    expect(sw.consts).toMatchObject({ L: 4, WG: 64, BC: 8 });
    expect(sw.params.Br).toBe(16);
  });

  it('uses small tiles on software adapters and accepts power-of-two overrides', () => {
    expect(planKernel(kernel('flash-f32'), 64, traits({ software: true })).consts).toEqual({
      D: 64,
      BR: 16,
      BC: 8,
    });
    expect(
      planKernel(kernel('flash-f32'), 64, traits(), { rows: 128, keyRows: 16 }).consts,
    ).toEqual({ D: 64, BR: 128, BC: 16 });
    expect(() => planKernel(kernel('flash-f32'), 64, traits(), { keyRows: 12 })).toThrow(
      /tiles\.keyRows: must be a power of two in 1\.\.1024 \(got 12\)/,
    );
  });

  it('counts workgroups per entry and folds them into an x·y grid', () => {
    const c = config({ seqLen: 77 });
    expect(workgroupCounts(planKernel(kernel('flash-f32'), 64, traits()), c)).toEqual([8 * 2]);
    expect(workgroupCounts(planKernel(kernel('naive-f32'), 64, traits()), c)).toEqual([
      Math.ceil((8 * 77 * 77) / 256),
      Math.ceil((8 * 77) / 256),
      Math.ceil((8 * 77 * 64) / 256),
    ]);
    expect(foldWorkgroups(70_000, 65_535)).toEqual([65_535, 2]);
    expect(foldWorkgroups(12, 65_535)).toEqual([12, 1]);
    expect(() => foldWorkgroups(65_535 * 65_535 + 1, 65_535)).toThrow(
      /maxComputeWorkgroupsPerDimension/,
    );
  });
});

describe('memory check before allocation', () => {
  it('refuses a naive run whose S×S scores exceed the binding limit, naming the numbers', () => {
    const c = config({ batch: 1, heads: 16, seqLen: 8192 });
    const err = (() => {
      try {
        planMemory(c, kernel('naive-f32'), LIMITS, 'warm', 'dawn');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('too-large-for-device');
    expect((err as EngineError).message).toContain('4.00 GiB (4294967296 bytes)');
    expect((err as EngineError).message).toContain(
      'maxStorageBufferBindingSize is 128.00 MiB (134217728 bytes)',
    );
    expect((err as EngineError).message).toContain('use flash-f32');
    // The same config fits flash-f32, which stores no scores.
    expect(planMemory(c, kernel('flash-f32'), LIMITS, 'warm', 'dawn').scratchBytes).toBe(0);
  });

  it('refuses tensors larger than maxBufferSize', () => {
    const c = config({ batch: 64, heads: 16, seqLen: 65_536, headDim: 128 });
    expect(() =>
      planMemory(
        c,
        kernel('flash-f32'),
        { ...LIMITS, maxStorageBufferBindingSize: 2 ** 40 },
        'warm',
        'dawn',
      ),
    ).toThrow(
      /each of Q, K, V, O needs 32\.00 GiB \(34359738368 bytes\).*maxBufferSize is 1\.00 GiB/,
    );
  });

  it('rotates input sets only for cold runs, within the budget', () => {
    expect(inputSetsFor('warm', 1024)).toBe(1);
    expect(inputSetsFor('cold', 1024)).toBe(MAX_INPUT_SETS);
    expect(inputSetsFor('cold', 3 * 2 ** 30)).toBe(1);
    expect(inputSetsFor('cold', 200 * 2 ** 20)).toBe(3);
    const plan = planMemory(config({ dtype: 'f16' }), kernel('flash-f16'), LIMITS, 'cold', 'dawn');
    expect(plan.tensorBytes).toBe(2 * 4 * 256 * 64 * 2);
    expect(plan.estimate.totalBytes).toBe(plan.tensorBytes * (3 * plan.inputSets + 2));
  });
});

describe('kernel registry', () => {
  it('lists kernels per dtype', () => {
    const f32 = kernelsForDtype('f32');
    const f16 = kernelsForDtype('f16');
    expect(f32.slice(0, 3)).toEqual(['naive-f32', 'flash-f32', 'flash-subgroup']);
    expect(f16[0]).toBe('flash-f16');
    expect(f32.filter((id) => f16.includes(id))).toEqual([]);
    expect([...f32, ...f16].sort()).toEqual(
      KERNELS.filter((k) => k.dtype !== ('bf16' as string))
        .map((k) => k.id)
        .sort(),
    );
  });

  it('rejects a kernel/dtype mismatch listing the kernels for that dtype', () => {
    expect(() => resolveKernel('flash-f32', config({ dtype: 'f16' }), traits())).toThrow(
      new RegExp(
        `^kernel: flash-f32 computes in f32 but the config's dtype is f16; kernels for f16: ${kernelsForDtype('f16').join(', ')}$`,
      ),
    );
    expect(() => resolveKernel('flash-f16', config(), traits())).toThrow(
      /kernels for f32: naive-f32, flash-f32, flash-subgroup/,
    );
    expect(() => resolveKernel('flash-f32', config({ dtype: 'bf16' }), traits())).toThrow(
      /WebGPU has no bf16 kernels/,
    );
  });

  it('rejects unknown kernels, unsupported head dims and missing features', () => {
    expect(() => resolveKernel('flash-f64', config(), traits())).toThrow(
      /"flash-f64" is not a WebGPU kernel; choose one of naive-f32, flash-f32, flash-f16, flash-subgroup\b/,
    );
    expect(() => resolveKernel('flash-f32', config({ headDim: 256 }), traits())).toThrow(
      'config.headDim: flash-f32 supports multiples of 8 in 8..128 (got 256)',
    );
    const noSubgroups = traits({ features: new Set(['timestamp-query']) });
    expect(() => resolveKernel('flash-subgroup', config(), noSubgroups)).toThrow(
      /needs the adapter feature "subgroups", which Test GPU does not offer/,
    );
  });

  it('marks unavailable kernels with the reason and notes emulated f16', () => {
    const infos = kernelInfos(traits({ features: new Set() }));
    const sub = infos.find((k) => k.id === 'flash-subgroup');
    expect(sub?.available).toBe(false);
    expect(sub?.reason).toMatch(/subgroups/);
    const f16 = infos.find((k) => k.id === 'flash-f16');
    expect(f16?.available).toBe(true);
    expect(f16?.reason).toBe('no shader-f16 on this adapter: f16 storage with f32 math');
    expect(f16?.headDims).toEqual([
      8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 120, 128,
    ]);
  });
});
