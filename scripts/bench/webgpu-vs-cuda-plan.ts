/**
 * What `npm run bench:webgpu-vs-cuda` measures: the shapes, and per dtype the WGSL kernels (run
 * through Dawn) and the CUDA/SDPA kernels, with the SDPA reference each ratio is taken against.
 */
import type { AttentionConfig, StopRule } from '../../src/model/index.ts';

/** One measured target. */
export interface BenchTarget {
  /** `dawn`, `cuda` or `sdpa`. */
  backend: 'dawn' | 'cuda' | 'sdpa';
  /** Kernel id of that backend. */
  kernel: string;
  /** Dawn tile overrides (a sweep point); absent: the engine's choice. */
  tiles?: { matrixSubgroups?: number; matrixKeyRows?: number };
}

/** The two shapes of the issue: (B, H, S, D). */
export const SHAPES: readonly [number, number, number, number][] = [
  [32, 8, 512, 64],
  [8, 16, 2048, 128],
];

/** The reference every ratio of a dtype is taken against (PyTorch SDPA). */
export const REFERENCE: Readonly<Record<'f32' | 'f16', BenchTarget>> = {
  f32: { backend: 'sdpa', kernel: 'efficient' },
  f16: { backend: 'sdpa', kernel: 'flash' },
};

/** Targets per dtype, reference first. */
export const TARGETS: Readonly<Record<'f32' | 'f16', readonly BenchTarget[]>> = {
  f32: [
    REFERENCE.f32,
    { backend: 'cuda', kernel: 'naive-f32' },
    { backend: 'dawn', kernel: 'naive-f32' },
    { backend: 'dawn', kernel: 'flash-f32' },
    { backend: 'dawn', kernel: 'flash-subgroup' },
    { backend: 'dawn', kernel: 'flash-sgmat-f32x3' },
    { backend: 'dawn', kernel: 'flash-sgmat-f32x3-v2' },
  ],
  f16: [
    REFERENCE.f16,
    { backend: 'sdpa', kernel: 'cudnn' },
    { backend: 'cuda', kernel: 'flash-v1' },
    { backend: 'cuda', kernel: 'flash' },
    { backend: 'dawn', kernel: 'flash-f16' },
    { backend: 'dawn', kernel: 'flash-sgmat-f16' },
    { backend: 'dawn', kernel: 'flash-sgmat-f16-v2' },
  ],
};

/** Tile points tried for the subgroup-matrix kernels with `--sweep`. */
export const SWEEP: readonly { matrixSubgroups: number; matrixKeyRows: number }[] = [
  { matrixSubgroups: 1, matrixKeyRows: 16 },
  { matrixSubgroups: 1, matrixKeyRows: 64 },
  { matrixSubgroups: 2, matrixKeyRows: 32 },
  { matrixSubgroups: 4, matrixKeyRows: 16 },
  { matrixSubgroups: 4, matrixKeyRows: 32 },
  { matrixSubgroups: 4, matrixKeyRows: 64 },
  { matrixSubgroups: 8, matrixKeyRows: 16 },
  { matrixSubgroups: 8, matrixKeyRows: 32 },
];

/** Stop rule of every run: ±1% CI of the median, at most 300 samples or 3 s. */
export const STOP: StopRule = { kind: 'ci', target: 0.01, maxIterations: 300, maxMs: 3000 };

/** The config of a shape and dtype (non-causal, default scale). */
export function configOf(
  [batch, heads, seqLen, headDim]: readonly [number, number, number, number],
  dtype: 'f32' | 'f16',
): AttentionConfig {
  return { batch, heads, seqLen, headDim, causal: false, dtype };
}

/** A target's label, e.g. `dawn/flash-sgmat-f16 [SG=4 BC=32]`. */
export function labelOf(t: BenchTarget): string {
  const tiles = t.tiles
    ? ` [SG=${t.tiles.matrixSubgroups ?? '·'} BC=${t.tiles.matrixKeyRows ?? '·'}]`
    : '';
  return `${t.backend}/${t.kernel}${tiles}`;
}
