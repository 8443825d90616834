/** flash-sgmat-f32x3-v2: flash-sgmat-f32x3 with padded rows, column-major S/P and K/V prefetch. */
import { SGMAT_KV_SHAPE_REFUSAL } from '../kernel.ts';
import type { KernelDescriptor } from '../kernel.ts';

/** The f32 (3×f16 split) subgroup-matrix FlashAttention kernel, second version. */
export const flashSgmatF32x3V2: KernelDescriptor = {
  id: 'flash-sgmat-f32x3-v2',
  description:
    'f32 FlashAttention on tensor cores (3×f16 split products) with bank-conflict-free padded rows, column-major S/P, K/V prefetch, 128 query rows per workgroup',
  dtype: 'f32',
  maxHeadDim: 128,
  headDimMultiple: 16,
  requires: ['shader-f16', 'subgroups', 'chromium-experimental-subgroup-matrix' as GPUFeatureName],
  scheme: 'subgroup-matrix',
  file: 'flash-sgmat-f32x3-v2/flash_sgmat_f32x3_v2.wgsl',
  entries: ['main'],
  materializesScores: false,
  kvShapeRefusal: SGMAT_KV_SHAPE_REFUSAL,
  // 8 × 16 measured fastest on the H100 at D = 64 and 128 (BENCHMARKS.md, issue 8); 8 × 32 does
  // not fit 48 KiB.
  matrix: { layout: 'padded-colmajor', tiles: { matrixSubgroups: 8, matrixKeyRows: 16 } },
};
