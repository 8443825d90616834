/** flash-decode-f16: split-KV decode on f16 tensors; f16 Q·Kᵀ where `shader-f16` exists. */
import type { KernelDescriptor } from '../kernel.ts';

/** The f16 split-KV decode kernel. */
export const flashDecodeF16: KernelDescriptor = {
  id: 'flash-decode-f16',
  description:
    'Split-KV decode on f16 tensors: K/V chunks across workgroups, query heads of a KV head together, f32 softmax',
  dtype: 'f16',
  maxHeadDim: 256,
  requires: [],
  scheme: 'split-kv',
  file: 'flash-decode-f16/flash_decode_f16.wgsl',
  // The storage parts of flash-f16 (T, H4, load4, store4) and the lane parts of flash-decode-f32.
  halfParts: { native: 'flash-f16/half_native.wgsl', emulated: 'flash-f16/half_emulated.wgsl' },
  laneParts: {
    subgroup: 'flash-decode-f32/lanes_subgroup.wgsl',
    workgroup: 'flash-decode-f32/lanes_workgroup.wgsl',
  },
  entries: ['split_main', 'combine_main'],
  materializesScores: false,
};
