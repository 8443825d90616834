/**
 * Planning of the subgroup-matrix kernels (flash-sgmat-f16, flash-sgmat-f32x3): tiles within the
 * workgroup-memory limit, clear refusals on adapters without 16×16×16 f16 subgroup matrices or
 * without a fixed subgroup size of 32, and head dims in steps of 16.
 */
import { describe, expect, it } from 'vitest';
import type { AttentionConfig } from '../model/index.ts';
import type { DeviceTraits, EngineLimits } from './device.ts';
import { hasSubgroupMatrixF16 } from './device.ts';
import { kernelInfos, resolveKernel } from './registry.ts';
import { TEST_FEATURES, kernelById, testTraits } from './testing.ts';
import { planKernel, subgroupMatrixBytes, workgroupCounts } from './tiles.ts';

const FEATURES = TEST_FEATURES;

/** The test GPU with 16×16×16 f16 subgroup matrices. */
function traits(
  over: Partial<DeviceTraits> = {},
  limits: Partial<EngineLimits> = {},
): DeviceTraits {
  return testTraits(
    {
      features: new Set([...FEATURES, 'chromium-experimental-subgroup-matrix']),
      subgroupMatrixF16: true,
      ...over,
    },
    limits,
  );
}

const kernel = kernelById;

const SGMAT_IDS = [
  'flash-sgmat-f16',
  'flash-sgmat-f32x3',
  'flash-sgmat-f16-v2',
  'flash-sgmat-f32x3-v2',
] as const;

const CONFIG: AttentionConfig = {
  batch: 2,
  heads: 3,
  seqLen: 100,
  headDim: 128,
  causal: false,
  dtype: 'f16',
};

describe('subgroup-matrix kernels', () => {
  it('fit their tiles into the workgroup-memory limit, shrinking K/V tiles first', () => {
    for (const id of SGMAT_IDS) {
      for (const limit of [32_768, 49_152]) {
        const plan = planKernel(
          kernel(id),
          128,
          traits({}, { maxComputeWorkgroupStorageSize: limit }),
        );
        const { SG, BC, KV_LEN } = plan.consts;
        expect(SG).toBeDefined();
        expect(BC).toBeGreaterThanOrEqual(16);
        const k = kernel(id);
        const need = subgroupMatrixBytes(
          k.matrix?.layout ?? 'packed',
          k.dtype === 'f32',
          128,
          SG ?? 0,
          BC ?? 0,
        );
        expect(need.bytes).toBeLessThanOrEqual(limit);
        expect(KV_LEN).toBe(need.kvHalves);
        expect(plan.workgroupSize).toBe((SG ?? 0) * 32);
      }
    }
    const f16 = planKernel(
      kernel('flash-sgmat-f16'),
      64,
      traits({}, { maxComputeWorkgroupStorageSize: 49_152 }),
    );
    expect(f16.consts).toMatchObject({ D: 64, SG: 4, SGS: 32, BC: 16 });
    // A larger K/V tile when asked for, if it fits: 64 keys at D=64 take 40,976 bytes.
    const wide = planKernel(
      kernel('flash-sgmat-f16'),
      64,
      traits({}, { maxComputeWorkgroupStorageSize: 49_152 }),
      { matrixKeyRows: 64 },
    );
    expect(wide.consts.BC).toBe(64);
    expect(wide.params.workgroupBytes).toBe(40_976);
    // 16 rows per subgroup: ceil(100 / 64) row tiles per (batch, head).
    expect(workgroupCounts(f16, CONFIG)).toEqual([2 * 3 * 2]);
  });

  it('plans the v2 kernels at their preferred tiles, which a tile override still beats', () => {
    const limits = { maxComputeWorkgroupStorageSize: 49_152 };
    const f16 = planKernel(kernel('flash-sgmat-f16-v2'), 128, traits({}, limits));
    expect(f16.consts).toMatchObject({ D: 128, SG: 8, BC: 16, KV_LEN: 64 * 136 });
    // (64·136 halves) + 8·16·20 floats + 8·16·24 halves + the 16-byte flag.
    expect(f16.params.workgroupBytes).toBe(2 * 64 * 136 + 4 * 8 * 16 * 20 + 2 * 8 * 16 * 24 + 16);
    // 32-key tiles when asked for: 8·16·36 floats and 8·16·40 halves.
    const wide = planKernel(kernel('flash-sgmat-f16-v2'), 128, traits({}, limits), {
      matrixKeyRows: 32,
    });
    expect(wide.consts).toMatchObject({ SG: 8, BC: 32, KV_LEN: 64 * 136 });
    expect(wide.params.workgroupBytes).toBe(2 * 64 * 136 + 4 * 8 * 16 * 36 + 2 * 8 * 16 * 40 + 16);
    expect(f16.params.layout).toBe('padded');
    const f32 = planKernel(kernel('flash-sgmat-f32x3-v2'), 128, traits({}, limits));
    expect(f32.consts).toMatchObject({ SG: 8, BC: 16, KV_LEN: 64 * 136 });
    // Column-major S (20-float columns) and two P parts (40-half columns), 16 columns each.
    expect(f32.params.workgroupBytes).toBe(
      2 * 64 * 136 + 4 * 8 * 16 * 20 + 2 * 2 * 8 * 16 * 40 + 16,
    );
    const asked = planKernel(kernel('flash-sgmat-f16-v2'), 128, traits({}, limits), {
      matrixSubgroups: 4,
      matrixKeyRows: 16,
    });
    expect(asked.consts).toMatchObject({ SG: 4, BC: 16 });
    // The v1 kernels keep the preset's 4 × 16.
    expect(planKernel(kernel('flash-sgmat-f16'), 128, traits({}, limits)).consts).toMatchObject({
      SG: 4,
      BC: 16,
    });
    // Less memory: the K/V tile shrinks first, then the subgroups.
    const tight = planKernel(
      kernel('flash-sgmat-f16-v2'),
      128,
      traits({}, { maxComputeWorkgroupStorageSize: 32_768 }),
      { matrixKeyRows: 32 },
    );
    expect(tight.consts).toMatchObject({ SG: 4, BC: 16 });
  });

  it('refuses, naming the bytes, when even the smallest tiles do not fit', () => {
    const small = traits({}, { maxComputeWorkgroupStorageSize: 16_384 });
    expect(() => planKernel(kernel('flash-sgmat-f32x3'), 128, small)).toThrow(
      /flash-sgmat-f32x3 at D=128 needs \d+ bytes of workgroup memory .* maxComputeWorkgroupStorageSize is 16384/,
    );
    expect(planKernel(kernel('flash-sgmat-f16'), 128, small).consts).toMatchObject({
      SG: 2,
      BC: 16,
    });
  });

  it('counts the f32x3 split as twice the probability tiles and four K/V halves', () => {
    const f16 = subgroupMatrixBytes('packed', false, 64, 4, 32);
    const split = subgroupMatrixBytes('packed', true, 64, 4, 32);
    expect(f16.kvHalves).toBe(Math.max(2 * 32 * 64, 64 * 64));
    expect(split.kvHalves).toBe(4 * 32 * 64);
    expect(split.bytes - f16.bytes).toBe(2 * (split.kvHalves - f16.kvHalves) + 2 * 4 * 16 * 32);
  });

  it('are listed as unavailable, with the reason, where subgroup matrices are missing', () => {
    const plain = traits({ features: new Set(FEATURES), subgroupMatrixF16: false });
    for (const info of kernelInfos(plain).filter((k) => k.id.startsWith('flash-sgmat'))) {
      expect(info.available).toBe(false);
      expect(info.reason).toContain('chromium-experimental-subgroup-matrix');
    }
    const noConfig = traits({ subgroupMatrixF16: false });
    expect(() => resolveKernel('flash-sgmat-f16', CONFIG, noConfig)).toThrow(/16×16×16 f16→f32/);
    const wave64 = traits({ subgroupMinSize: 64, subgroupMaxSize: 64 });
    expect(() => resolveKernel('flash-sgmat-f16', CONFIG, wave64)).toThrow(/subgroup size of 32/);
  });

  it('take head dims in steps of 16 only', () => {
    expect(() => resolveKernel('flash-sgmat-f16', { ...CONFIG, headDim: 72 }, traits())).toThrow(
      /config\.headDim: flash-sgmat-f16 supports multiples of 16 in 16\.\.128 \(got 72\)/,
    );
    expect(
      resolveKernel('flash-sgmat-f32x3', { ...CONFIG, dtype: 'f32', headDim: 80 }, traits()).id,
    ).toBe('flash-sgmat-f32x3');
  });

  it('read the adapter’s subgroup-matrix configurations', () => {
    const info = (configs: unknown): GPUAdapterInfo =>
      ({ subgroupMatrixConfigs: configs }) as unknown as GPUAdapterInfo;
    const f16 = { componentType: 'f16', resultComponentType: 'f32', M: 16, N: 16, K: 16 };
    expect(hasSubgroupMatrixF16(info([f16]))).toBe(true);
    expect(hasSubgroupMatrixF16(info([{ ...f16, M: 8, N: 8, K: 8 }]))).toBe(false);
    expect(hasSubgroupMatrixF16(info([{ ...f16, resultComponentType: 'f16' }]))).toBe(false);
    expect(hasSubgroupMatrixF16(info([]))).toBe(false);
    expect(hasSubgroupMatrixF16(info(undefined))).toBe(false);
  });
});
