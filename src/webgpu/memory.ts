/**
 * Memory check before anything is allocated: every buffer against maxBufferSize and
 * maxStorageBufferBindingSize, with the numbers in the refusal; and how many input sets to
 * rotate so a cold-cache run does not time a working set that sits in the GPU's cache.
 */
import type { KernelDescriptor } from '../../shaders/index.ts';
import { dtypeBytes, estimateMemory, formatBytes, tensorElements } from '../model/index.ts';
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
  /** Bytes of one of Q, K, V or O. */
  tensorBytes: number;
  /** Bytes of the S×S score scratch (0 when the kernel stores none). */
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

/** Plans the buffers of a run; refuses configs whose buffers exceed the device limits. */
export function planMemory(
  config: AttentionConfig,
  kernel: KernelDescriptor,
  limits: EngineLimits,
  cache: 'cold' | 'warm',
  backend: MemoryModelBackend,
): MemoryPlan {
  const tensorBytes = tensorElements(config) * dtypeBytes(config.dtype);
  const scratchBytes = kernel.materializesScores
    ? config.batch * config.heads * config.seqLen * config.seqLen * 4
    : 0;
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
  check('each of Q, K, V, O', tensorBytes, '; use smaller B, H, S or D');
  check(
    `${kernel.id}'s S×S score matrix (B·H·S²·4 bytes)`,
    scratchBytes,
    '; use flash-f32, which never stores it, or a shorter sequence',
  );
  const inputSets = inputSetsFor(cache, 3 * tensorBytes);
  const base = estimateMemory(config, backend, {
    materializesScores: kernel.materializesScores,
    inputSets,
  });
  const parts = { ...base.parts, 'readback (o)': tensorBytes };
  return {
    tensorBytes,
    scratchBytes,
    inputSets,
    estimate: { ...base, parts, totalBytes: base.totalBytes + tensorBytes },
  };
}
