/**
 * The two numbers every benchmark starts from — FLOPs and minimal bytes — and the memory a run
 * needs, per backend, checked before anything is allocated.
 */
import {
  dtypeBytes,
  kvSeqLenOf,
  kvTensorElements,
  tensorElements,
  type AttentionConfig,
} from './config.ts';

/**
 * Keys query row i (0-based) attends to: all Skv, or under the bottom-right causal mask the keys
 * j ≤ i + Skv − S, i.e. max(0, i + Skv − S + 1). Zero means a fully masked row (S > Skv, causal):
 * its output is 0, as in FlashAttention.
 */
export function visibleKeys(config: AttentionConfig, row: number): number {
  const skv = kvSeqLenOf(config);
  if (!config.causal) return skv;
  return Math.min(skv, Math.max(0, row + skv - config.seqLen + 1));
}

/**
 * Unmasked (query, key) pairs of one head: S·Skv, or under the bottom-right causal mask the
 * exact count Σᵢ max(0, i + Skv − S + 1) — S·(Skv − S) + S·(S + 1)/2 when Skv ≥ S, and
 * Skv·(Skv + 1)/2 when S > Skv (the first S − Skv rows see nothing).
 */
export function unmaskedPairs(config: AttentionConfig): number {
  const s = config.seqLen;
  const skv = kvSeqLenOf(config);
  if (!config.causal) return s * skv;
  if (skv >= s) return s * (skv - s) + (s * (s + 1)) / 2;
  return (skv * (skv + 1)) / 2;
}

/**
 * FLOPs of one forward pass: 4·D per unmasked (query, key) pair (2·D for Q·Kᵀ, 2·D for P·V),
 * over B·H heads; 4·B·H·S·Skv·D without a mask. Causal counts the unmasked pairs exactly rather
 * than halving, so decode (S = 1) is not under-counted.
 */
export function attentionFlops(config: AttentionConfig): number {
  return 4 * config.batch * config.heads * unmaskedPairs(config) * config.headDim;
}

/** Minimal bytes moved: read Q and K, V (B·Hkv·Skv·D each) and write O once each. */
export function attentionBytes(config: AttentionConfig): number {
  return (2 * tensorElements(config) + 2 * kvTensorElements(config)) * dtypeBytes(config.dtype);
}

/** FLOPs per minimal byte (the roofline x-axis). */
export function arithmeticIntensity(config: AttentionConfig): number {
  return attentionFlops(config) / attentionBytes(config);
}

/** Achieved TFLOP/s for a time in milliseconds. */
export function tflops(config: AttentionConfig, ms: number): number {
  return attentionFlops(config) / (ms * 1e-3) / 1e12;
}

/** Achieved GB/s (minimal bytes) for a time in milliseconds. */
export function gbps(config: AttentionConfig, ms: number): number {
  return attentionBytes(config) / (ms * 1e-3) / 1e9;
}

/** Device ceilings used for napkin math; either may be unknown. */
export interface DeviceCeilings {
  /** Peak dense throughput at the config's dtype, TFLOP/s. */
  peakTflops?: number | undefined;
  /** Memory bandwidth ceiling, GB/s: the measured device-to-device copy rate where known. */
  peakGbps?: number | undefined;
}

/** Floor time in ms from the two numbers and the ceilings (max of compute and memory floors). */
export function floorMs(config: AttentionConfig, ceilings: DeviceCeilings): number | null {
  const parts: number[] = [];
  if (ceilings.peakTflops)
    parts.push((attentionFlops(config) / (ceilings.peakTflops * 1e12)) * 1e3);
  if (ceilings.peakGbps) parts.push((attentionBytes(config) / (ceilings.peakGbps * 1e9)) * 1e3);
  return parts.length === 0 ? null : Math.max(...parts);
}

/** What limits a problem on a device: its arithmetic intensity against the ridge point. */
export type Bound = 'memory' | 'compute';

/**
 * The ridge point (FLOP per byte) where the bandwidth roof meets the compute roof:
 * peak TFLOP/s · 1000 / GB/s; null when either ceiling is unknown.
 */
export function ridgePoint(ceilings: DeviceCeilings): number | null {
  const { peakTflops, peakGbps } = ceilings;
  if (!peakTflops || !peakGbps) return null;
  return (peakTflops * 1000) / peakGbps;
}

/** Fallback ridge point (FLOP/B) when a device's ceilings are unknown; see `boundOf`. */
export const DEFAULT_RIDGE_FLOP_PER_BYTE = 330;

/**
 * Memory-bound when the arithmetic intensity is below the device's ridge point, else
 * compute-bound. Without both ceilings the ridge of an H100 SXM (fp16 dense 989 TFLOP/s over a
 * ~3,000 GB/s measured copy ceiling ≈ 330 FLOP/B) is a fair stand-in for any current GPU: decode
 * (intensity ≈ 1–4) is memory-bound and long prefill (≈ S/2 and up) compute-bound either way.
 */
export function boundOf(config: AttentionConfig, ceilings: DeviceCeilings = {}): Bound {
  const ridge = ridgePoint(ceilings) ?? DEFAULT_RIDGE_FLOP_PER_BYTE;
  return arithmeticIntensity(config) < ridge ? 'memory' : 'compute';
}

/**
 * The headline figure of a measured time: GB/s (with % of the copy ceiling when known) for a
 * memory-bound problem, TFLOP/s (with % of peak when known) for a compute-bound one.
 */
export interface HeadlineFigure {
  /** Which roof limits the problem. */
  bound: Bound;
  /** GB/s of minimal bytes for memory-bound, TFLOP/s for compute-bound. */
  value: number;
  /** Unit of `value`. */
  unit: 'GB/s' | 'TFLOP/s';
  /** value / ceiling (copy GB/s or peak TFLOP/s); null when the ceiling is unknown. */
  fractionOfCeiling: number | null;
}

/** Picks GB/s or TFLOP/s for a time in ms by `boundOf`, against the matching ceiling. */
export function headlineFigure(
  config: AttentionConfig,
  ms: number,
  ceilings: DeviceCeilings = {},
): HeadlineFigure {
  const bound = boundOf(config, ceilings);
  if (bound === 'memory') {
    const value = gbps(config, ms);
    return {
      bound,
      value,
      unit: 'GB/s',
      fractionOfCeiling: ceilings.peakGbps ? value / ceilings.peakGbps : null,
    };
  }
  const value = tflops(config, ms);
  return {
    bound,
    value,
    unit: 'TFLOP/s',
    fractionOfCeiling: ceilings.peakTflops ? value / ceilings.peakTflops : null,
  };
}

/** Backends the memory model knows. */
export type MemoryModelBackend = 'webgpu' | 'dawn' | 'cuda' | 'sdpa' | 'cpu';

/** A memory estimate with its parts, so a refusal can show the numbers. */
export interface MemoryEstimate {
  /** Total bytes the run allocates on the device (or host for cpu). */
  totalBytes: number;
  /** Size of the single largest buffer (checked against per-buffer limits). */
  largestBufferBytes: number;
  /** Named parts that add up to totalBytes. */
  parts: Record<string, number>;
}

/** L2 flush buffer the CUDA harness allocates for cold-cache timing (larger than any L2 today). */
export const CUDA_L2_FLUSH_BYTES = 256 * 1024 * 1024;

/**
 * Estimates device memory for one run. `materializesScores` is true for kernels that store the
 * S×Skv score matrix (naive kernels, SDPA's math backend); `inputSets` counts rotated input copies.
 */
export function estimateMemory(
  config: AttentionConfig,
  backend: MemoryModelBackend,
  options: { materializesScores?: boolean; inputSets?: number; coldCache?: boolean } = {},
): MemoryEstimate {
  const elemBytes = dtypeBytes(config.dtype);
  const tensor = tensorElements(config) * elemBytes;
  const kvTensor = kvTensorElements(config) * elemBytes;
  const sets = options.inputSets ?? 1;
  const parts: Record<string, number> = {
    'q,k,v': (tensor + 2 * kvTensor) * sets,
    o: tensor,
  };
  if (options.materializesScores) {
    parts.scores = config.batch * config.heads * config.seqLen * kvSeqLenOf(config) * 4;
  }
  if (backend === 'cuda') {
    // fp32 GPU reference output used by the correctness check.
    parts['reference o (f32)'] = tensorElements(config) * 4;
    if (options.coldCache ?? true) parts['l2 flush'] = CUDA_L2_FLUSH_BYTES;
  }
  if (backend === 'sdpa' && (options.coldCache ?? true)) parts['l2 flush'] = CUDA_L2_FLUSH_BYTES;
  const values = Object.values(parts);
  return {
    totalBytes: values.reduce((a, b) => a + b, 0),
    largestBufferBytes: Math.max(tensor, kvTensor, parts.scores ?? 0),
    parts,
  };
}

/** Formats a byte count with binary units, e.g. `1.50 GiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value.toFixed(0) : value.toFixed(2)} ${units[unit] ?? 'B'}`;
}
