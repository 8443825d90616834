/** flash-f16: flash-f32's tiling with f16 tensors; f16 math where `shader-f16` exists. */
import type { KernelDescriptor } from '../kernel.ts';

/** The f16 FlashAttention-style kernel. */
export const flashF16: KernelDescriptor = {
  id: 'flash-f16',
  description:
    'Tiled FlashAttention on f16 tensors: f16 Q·Kᵀ (with shader-f16), f32 softmax and accumulator',
  dtype: 'f16',
  maxHeadDim: 128,
  requires: [],
  scheme: 'row-per-invocation',
  file: 'flash-f16/flash_f16.wgsl',
  halfParts: { native: 'flash-f16/half_native.wgsl', emulated: 'flash-f16/half_emulated.wgsl' },
  entries: ['main'],
  materializesScores: false,
};
