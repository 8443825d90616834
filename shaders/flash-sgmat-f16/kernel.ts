/** flash-sgmat-f16: FlashAttention with both products on the tensor cores (subgroup matrices). */
import { SGMAT_KV_SHAPE_REFUSAL } from '../kernel.ts';
import type { KernelDescriptor } from '../kernel.ts';

/** The f16 subgroup-matrix FlashAttention kernel. */
export const flashSgmatF16: KernelDescriptor = {
  id: 'flash-sgmat-f16',
  description:
    'FlashAttention on tensor cores: Q·Kᵀ and P·V as 16×16×16 f16 subgroup matrices (f32 accumulate), lazy rescale',
  dtype: 'f16',
  maxHeadDim: 128,
  headDimMultiple: 16,
  requires: ['shader-f16', 'subgroups', 'chromium-experimental-subgroup-matrix' as GPUFeatureName],
  scheme: 'subgroup-matrix',
  file: 'flash-sgmat-f16/flash_sgmat_f16.wgsl',
  entries: ['main'],
  materializesScores: false,
  kvShapeRefusal: SGMAT_KV_SHAPE_REFUSAL,
};
