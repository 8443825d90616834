/** flash-decode-f32: split-KV decode (flash-decoding), grouped-query heads sharing K/V reads. */
import type { KernelDescriptor } from '../kernel.ts';

/** The f32 split-KV decode kernel. */
export const flashDecodeF32: KernelDescriptor = {
  id: 'flash-decode-f32',
  description:
    'Split-KV decode: K/V chunks across workgroups, query heads of a KV head together, chunks combined in a second pass',
  dtype: 'f32',
  maxHeadDim: 256,
  requires: [],
  scheme: 'split-kv',
  file: 'flash-decode-f32/flash_decode_f32.wgsl',
  laneParts: {
    subgroup: 'flash-decode-f32/lanes_subgroup.wgsl',
    workgroup: 'flash-decode-f32/lanes_workgroup.wgsl',
  },
  entries: ['split_main', 'combine_main'],
  materializesScores: false,
};
