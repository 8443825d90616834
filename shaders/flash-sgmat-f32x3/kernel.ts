/** flash-sgmat-f32x3: f32 attention on the tensor cores, each f32 operand split into two f16. */
import { SGMAT_KV_SHAPE_REFUSAL } from '../kernel.ts';
import type { KernelDescriptor } from '../kernel.ts';

/** The f32 (3×f16 split) subgroup-matrix FlashAttention kernel. */
export const flashSgmatF32x3: KernelDescriptor = {
  id: 'flash-sgmat-f32x3',
  description:
    'f32 FlashAttention on tensor cores: operands split into f16 hi+lo, hi·hi+hi·lo+lo·hi per product (as CUTLASS fast-f32)',
  dtype: 'f32',
  maxHeadDim: 128,
  headDimMultiple: 16,
  requires: ['shader-f16', 'subgroups', 'chromium-experimental-subgroup-matrix' as GPUFeatureName],
  scheme: 'subgroup-matrix',
  file: 'flash-sgmat-f32x3/flash_sgmat_f32x3.wgsl',
  entries: ['main'],
  materializesScores: false,
  kvShapeRefusal: SGMAT_KV_SHAPE_REFUSAL,
};
