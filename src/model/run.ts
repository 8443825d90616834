/**
 * The contract of a direct run (no server): what `attnlab run` hands a backend and what it gets
 * back. The WebGPU engine (through Dawn) and the native backends implement `DirectRunner`.
 */
import type { AttentionConfig } from './config.ts';
import type { ResultFile, StopRule } from './result.ts';
import type { UserKernelSpec } from './user-kernel.ts';

/** Live progress of a run, for progress bars and the lab. */
export interface RunProgress {
  /** Phase: `setup`, `checking`, `warmup`, `timing`. */
  phase: string;
  /** Samples so far. */
  samples: number;
  /** Wall time since the run started, ms. */
  elapsedMs: number;
  /** Median so far, ms (null before the first sample). */
  medianMs: number | null;
  /** Expected total samples when known (count rule), else null. */
  expected: number | null;
  /** During warm-up: launches done, launches planned, and the time left (ms, null: unknown). */
  warmup?: { launches: number; planned: number; etaMs: number | null } | undefined;
  /** Wall time spent in the timing phase so far, ms (what a time budget counts). */
  timingMs?: number | undefined;
}

/** Input tensors given by the user (e.g. from .npy), each [B, H, S, D] contiguous. */
export interface InputTensors {
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
}

/** What every run is asked for, whoever runs it (runner job, lab worker, direct run). */
export interface RunSpec {
  config: AttentionConfig;
  /** Kernel id within the backend. */
  kernel: string;
  stop: StopRule;
  /** Cold (default) or warm cache. */
  cache: 'cold' | 'warm';
  /** Seed of the random inputs and of the bootstrap. */
  seed: number;
  /** Warmup launches; undefined lets the backend choose. */
  warmup?: number | undefined;
  /** The user's own kernel; `kernel` is then its display id. */
  userKernel?: UserKernelSpec | undefined;
}

/** What a direct run needs. */
export interface DirectRunOptions extends RunSpec {
  /** User inputs instead of seeded random ones. */
  inputs?: InputTensors | undefined;
  /** When true, the outcome carries the kernel's full output. */
  wantOutput?: boolean | undefined;
  /** Called at most every ~100 ms. */
  onProgress?: ((progress: RunProgress) => void) | undefined;
  /** Aborts the run; the result then has status `cancelled` and partial samples. */
  signal?: AbortSignal | undefined;
}

/** What a direct run returns. */
export interface DirectRunOutcome {
  result: ResultFile;
  /** The kernel's output [B, H, S, D] as f32, when `wantOutput` was set. */
  output?: Float32Array | undefined;
}

/** A backend's direct-run entry point. */
export type DirectRunner = (options: DirectRunOptions) => Promise<DirectRunOutcome>;
