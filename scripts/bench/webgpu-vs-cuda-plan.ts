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

/** A bench shape: (B, H, S, D), plus the K/V heads and length of a decode shape. */
export interface BenchShape {
  batch: number;
  heads: number;
  seqLen: number;
  headDim: number;
  /** K/V heads (grouped-query); absent: = heads. */
  kvHeads?: number;
  /** K/V length; absent: = seqLen. */
  kvSeqLen?: number;
}

/** The prefill shapes of issue 17: (B, H, S, D). */
export const SHAPES: readonly BenchShape[] = [
  { batch: 32, heads: 8, seqLen: 512, headDim: 64 },
  { batch: 8, heads: 16, seqLen: 2048, headDim: 128 },
];

/** The decode shapes of issue 14 (`--decode`): (B, H, Hkv, S, Skv, D), one new token. */
export const DECODE_SHAPES: readonly BenchShape[] = [
  { batch: 8, heads: 32, kvHeads: 8, seqLen: 1, kvSeqLen: 8192, headDim: 128 },
  { batch: 1, heads: 32, kvHeads: 8, seqLen: 1, kvSeqLen: 8192, headDim: 128 },
  { batch: 1, heads: 28, kvHeads: 4, seqLen: 1, kvSeqLen: 32768, headDim: 128 },
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

/** Decode targets (`--decode`), f16 only: SDPA cuDNN is the reference (issue 14's targets). */
export const DECODE_REFERENCE: BenchTarget = { backend: 'sdpa', kernel: 'cudnn' };
export const DECODE_TARGETS: readonly BenchTarget[] = [
  DECODE_REFERENCE,
  { backend: 'sdpa', kernel: 'flash' },
  { backend: 'sdpa', kernel: 'efficient' },
  { backend: 'cuda', kernel: 'flash-decode' },
  { backend: 'cuda', kernel: 'flash' },
  { backend: 'dawn', kernel: 'flash-decode-f16' },
  { backend: 'dawn', kernel: 'flash-f16' },
];

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
export function configOf(shape: BenchShape, dtype: 'f32' | 'f16'): AttentionConfig {
  return { ...shape, causal: false, dtype };
}

/** A target's label, e.g. `dawn/flash-sgmat-f16 [SG=4 BC=32]`. */
export function labelOf(t: BenchTarget): string {
  const tiles = t.tiles
    ? ` [SG=${t.tiles.matrixSubgroups ?? '·'} BC=${t.tiles.matrixKeyRows ?? '·'}]`
    : '';
  return `${t.backend}/${t.kernel}${tiles}`;
}
