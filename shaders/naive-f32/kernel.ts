/** naive-f32: scores, softmax and P·V as three dispatches over a stored S×S matrix. */
import type { KernelDescriptor } from '../kernel.ts';

/** The readable baseline. */
export const naiveF32: KernelDescriptor = {
  id: 'naive-f32',
  description: 'Textbook baseline: S×S scores, softmax, P·V in three passes (stores B·H·S² floats)',
  dtype: 'f32',
  maxHeadDim: 256,
  requires: [],
  scheme: 'naive',
  file: 'naive-f32/naive_f32.wgsl',
  entries: ['scores_main', 'softmax_main', 'pv_main'],
  materializesScores: true,
};
