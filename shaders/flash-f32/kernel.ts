/** flash-f32: tiled, online softmax, K/V tiles through workgroup memory. */
import type { KernelDescriptor } from '../kernel.ts';

/** The FlashAttention-style f32 kernel. */
export const flashF32: KernelDescriptor = {
  id: 'flash-f32',
  description:
    'Tiled FlashAttention: one row per invocation, K/V tiles in workgroup memory, online softmax',
  dtype: 'f32',
  maxHeadDim: 128,
  requires: [],
  scheme: 'row-per-invocation',
  file: 'flash-f32/flash_f32.wgsl',
  entries: ['main'],
  materializesScores: false,
};
