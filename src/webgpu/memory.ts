/**
 * Memory check before anything is allocated: every buffer against maxBufferSize and
 * maxStorageBufferBindingSize, with the numbers in the refusal; and how many input sets to
 * rotate so a cold-cache run does not time a working set that sits in the GPU's cache.
 */
import type { KernelDescriptor } from '../../shaders/index.ts';
import {
  dtypeBytes,
  estimateMemory,
  formatBytes,
  hasKvShape,
  kvSeqLenOf,
  kvTensorElements,
  tensorElements,
} from '../model/index.ts';
import type { AttentionConfig, MemoryEstimate, MemoryModelBackend } from '../model/index.ts';
import type { EngineLimits } from './device.ts';
import { EngineError } from './errors.ts';

/**
 * Bytes a rotated working set must exceed to defeat caches: larger than any GPU last-level cache
 * today (H100 L2 50 MB, MI300X Infinity Cache 256 MB).
 */
export const COLD_WORKING_SET_BYTES = 512 * 1024 * 1024;
/** Most input sets rotated. */
export const MAX_INPUT_SETS = 8;
/** Most bytes spent on extra (rotated) input sets. */
export const ROTATION_BUDGET_BYTES = 1024 * 1024 * 1024;

/** Buffers of a run and the memory estimate. */
export interface MemoryPlan {
  /** Bytes of Q or O. */
  tensorBytes: number;
  /** Bytes of K or V (B·Hkv·Skv·D elements). */
  kvTensorBytes: number;
  /** Bytes of the scratch buffer: S×Skv scores or split-KV partials (0 when the kernel has none). */
  scratchBytes: number;
  /** Input sets (Q, K, V copies) rotated between launches. */
  inputSets: number;
  /** The estimate recorded in the result (includes the readback buffer). */
  estimate: MemoryEstimate;
}

/** Input sets for a cache mode: 1 when warm; enough copies to exceed the cache when cold. */
export function inputSetsFor(cache: 'cold' | 'warm', setBytes: number): number {
  if (cache === 'warm' || setBytes <= 0) return 1;
  const wanted = Math.ceil(COLD_WORKING_SET_BYTES / setBytes);
  const affordable = 1 + Math.floor(ROTATION_BUDGET_BYTES / setBytes);
  return Math.max(1, Math.min(wanted, affordable, MAX_INPUT_SETS));
}

/**
 * Scratch bytes of a kernel on a config: the B·H·S×Skv f32 scores of kernels that store them; for
 * split-KV kernels (`consts.C` keys per chunk) an f32 accumulator of D plus (m, l) padded to a
 * vec4 per chunk and query row.
 */
export function scratchBytesOf(
  kernel: KernelDescriptor,
  config: AttentionConfig,
  consts: Readonly<Record<string, number>> = {},
): number {
  const rows = config.batch * config.heads * config.seqLen;
  if (kernel.materializesScores) return rows * kvSeqLenOf(config) * 4;
  if (kernel.scheme === 'split-kv') {
    const chunks = Math.ceil(kvSeqLenOf(config) / (consts.C ?? 1));
    return chunks * rows * (config.headDim + 4) * 4;
  }
  return 0;
}

/** Plans the buffers of a run; refuses configs whose buffers exceed the device limits. */
export function planMemory(
  config: AttentionConfig,
  kernel: KernelDescriptor,
  limits: EngineLimits,
  cache: 'cold' | 'warm',
  backend: MemoryModelBackend,
  consts: Readonly<Record<string, number>> = {},
): MemoryPlan {
  const tensorBytes = tensorElements(config) * dtypeBytes(config.dtype);
  const kvTensorBytes = kvTensorElements(config) * dtypeBytes(config.dtype);
  const scratchBytes = scratchBytesOf(kernel, config, consts);
  const perBuffer = Math.min(limits.maxBufferSize, limits.maxStorageBufferBindingSize);
  const which =
    limits.maxBufferSize <= limits.maxStorageBufferBindingSize
      ? 'maxBufferSize'
      : 'maxStorageBufferBindingSize';
  const check = (name: string, bytes: number, hint: string): void => {
    if (bytes > perBuffer) {
      throw new EngineError(
        'too-large-for-device',
        `config: ${name} needs ${formatBytes(bytes)} (${bytes} bytes) in one buffer, but this adapter's ${which} is ${formatBytes(perBuffer)} (${perBuffer} bytes)${hint}`,
      );
    }
  };
  if (hasKvShape(config)) {
    check('each of Q, O', tensorBytes, '; use smaller B, H, S or D');
    check('each of K, V', kvTensorBytes, '; use smaller B, kvHeads, kvSeqLen or D');
  } else {
    check('each of Q, K, V, O', tensorBytes, '; use smaller B, H, S or D');
  }
  if (kernel.materializesScores) {
    check(
      `${kernel.id}'s S×Skv score matrix (B·H·S·Skv·4 bytes)`,
      scratchBytes,
      '; use flash-f32, which never stores it, or a shorter sequence',
    );
  } else {
    check(`${kernel.id}'s split-KV partials`, scratchBytes, '; use smaller B, H, S or kvSeqLen');
  }
  const setBytes = tensorBytes + 2 * kvTensorBytes;
  const inputSets = inputSetsFor(cache, setBytes);
  const base = estimateMemory(config, backend, {
    materializesScores: kernel.materializesScores,
    inputSets,
  });
  const parts: Record<string, number> = { ...base.parts, 'readback (o)': tensorBytes };
  if (scratchBytes > 0 && !kernel.materializesScores) parts.partials = scratchBytes;
  const totalBytes = Object.values(parts).reduce((a, b) => a + b, 0);
  return {
    tensorBytes,
    kvTensorBytes,
    scratchBytes,
    inputSets,
    estimate: {
      ...base,
      parts,
      totalBytes,
      largestBufferBytes: Math.max(tensorBytes, kvTensorBytes, scratchBytes),
    },
  };
}
