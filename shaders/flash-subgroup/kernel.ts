/** flash-subgroup: flash-f32 with each row split over subgroup lanes, reduced by shuffles. */
import type { KernelDescriptor } from '../kernel.ts';

/** The subgroup FlashAttention-style f32 kernel. */
export const flashSubgroup: KernelDescriptor = {
  id: 'flash-subgroup',
  description:
    'Tiled FlashAttention with L subgroup lanes per row: dot products summed by subgroupShuffleXor',
  dtype: 'f32',
  maxHeadDim: 128,
  requires: ['subgroups'],
  scheme: 'lanes-per-row',
  file: 'flash-subgroup/flash_subgroup.wgsl',
  entries: ['main'],
  materializesScores: false,
};
