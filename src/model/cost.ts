/**
 * The two numbers every benchmark starts from — FLOPs and minimal bytes — and the memory a run
 * needs, per backend, checked before anything is allocated.
 */
import { dtypeBytes, tensorElements, type AttentionConfig } from './config.ts';

/** FLOPs of one forward pass: 4·B·H·S²·D, halved when causal (FlashAttention convention). */
export function attentionFlops(config: AttentionConfig): number {
  const { batch, heads, seqLen, headDim, causal } = config;
  const full = 4 * batch * heads * seqLen * seqLen * headDim;
  return causal ? full / 2 : full;
}

/** Minimal bytes moved: read Q, K, V and write O once each. */
export function attentionBytes(config: AttentionConfig): number {
  return 4 * tensorElements(config) * dtypeBytes(config.dtype);
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
  /** Peak memory bandwidth, GB/s. */
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
 * S×S score matrix (naive kernels, SDPA's math backend); `inputSets` counts rotated input copies.
 */
export function estimateMemory(
  config: AttentionConfig,
  backend: MemoryModelBackend,
  options: { materializesScores?: boolean; inputSets?: number; coldCache?: boolean } = {},
): MemoryEstimate {
  const elemBytes = dtypeBytes(config.dtype);
  const tensor = tensorElements(config) * elemBytes;
  const sets = options.inputSets ?? 1;
  const parts: Record<string, number> = {
    'q,k,v': 3 * tensor * sets,
    o: tensor,
  };
  if (options.materializesScores) {
    parts.scores = config.batch * config.heads * config.seqLen * config.seqLen * 4;
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
    largestBufferBytes: Math.max(tensor, parts.scores ?? 0),
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
