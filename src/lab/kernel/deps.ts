/**
 * What the Kernel view's state needs from the lab around it — the WebGPU engine, a store for
 * saved kernels, the Run session and Compare — as small interfaces, so tests can stand in.
 */
import type { AttentionConfig, ResultFile, UserKernelSpec } from '../../model/index.ts';
import type { UserCheckOutcome, UserCompileOutcome } from '../../worker/api.ts';
import type { BrowserEngineStatus } from '../engine/engine.svelte.ts';
import type { TargetRef } from '../lib/targets.ts';
import type { SavedKernel } from '../store/db.ts';

/** What the Kernel view needs from the WebGPU engine. */
export interface KernelEngine {
  /** Availability (a lost device shows as `starting` while it restarts). */
  readonly status: BrowserEngineStatus;
  compileUser(spec: UserKernelSpec, config: AttentionConfig): Promise<UserCompileOutcome>;
  checkUser(spec: UserKernelSpec, config: AttentionConfig, seed: number): Promise<UserCheckOutcome>;
  /** Re-creates the device (after a loss). */
  init(): Promise<void>;
}

/** Where saved kernels live (IndexedDB in the lab; a map in tests). */
export interface KernelStore {
  allKernels(): Promise<SavedKernel[]>;
  putKernel(kernel: SavedKernel): Promise<void>;
  renameKernel(from: string, to: string): Promise<void>;
  deleteKernel(name: string): Promise<void>;
}

/** Runs and compares for the Kernel view (the lab's Run session and Compare state). */
export interface KernelRuns {
  /** Runs the target as the Run view would; the result file (any status), or the failure. */
  run(target: TargetRef, config: AttentionConfig): Promise<ResultFile>;
  /** A/B-interleaved run of the parent (A, baseline) and the user kernel (B), then Compare. */
  compare(parent: TargetRef, target: TargetRef, config: AttentionConfig): Promise<void>;
}

/** The latest run from the Kernel view. */
export type KernelRunState =
  | { state: 'none' }
  | { state: 'running'; source: string }
  | { state: 'done'; source: string; result: ResultFile }
  | { state: 'failed'; source: string; message: string };

/** A file the person imported. */
export interface KernelFile {
  /** File name (its stem becomes the kernel's name). */
  name: string;
  /** Its text. */
  text: string;
}

/** A WGSL user kernel, as the editor makes it. */
export type WgslKernelSpec = Extract<UserKernelSpec, { language: 'wgsl' }>;
