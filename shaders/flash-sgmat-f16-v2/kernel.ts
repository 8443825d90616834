/** flash-sgmat-f16-v2: flash-sgmat-f16 with padded workgroup rows, K/V prefetch and 128-row tiles. */
import { SGMAT_KV_SHAPE_REFUSAL } from '../kernel.ts';
import type { KernelDescriptor } from '../kernel.ts';

/** The f16 subgroup-matrix FlashAttention kernel, second version. */
export const flashSgmatF16V2: KernelDescriptor = {
  id: 'flash-sgmat-f16-v2',
  description:
    'FlashAttention on tensor cores (f16 subgroup matrices) with bank-conflict-free padded rows, K/V prefetch into registers, 128 query rows per workgroup',
  dtype: 'f16',
  maxHeadDim: 128,
  headDimMultiple: 16,
  requires: ['shader-f16', 'subgroups', 'chromium-experimental-subgroup-matrix' as GPUFeatureName],
  scheme: 'subgroup-matrix',
  file: 'flash-sgmat-f16-v2/flash_sgmat_f16_v2.wgsl',
  entries: ['main'],
  materializesScores: false,
  kvShapeRefusal: SGMAT_KV_SHAPE_REFUSAL,
  // 8 × 16 measured fastest on the H100 at D = 128 (109 TFLOP/s; 8 × 32: 102) and within 5% of
  // the fastest at D = 64 (BENCHMARKS.md, issue 8, tile sweep).
  matrix: { layout: 'padded', tiles: { matrixSubgroups: 8, matrixKeyRows: 16 } },
};
