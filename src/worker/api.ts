/**
 * The WebGPU engine's API as the lab sees it through comlink. The worker implements it; the lab
 * calls it with `Comlink.wrap<WorkerApi>(worker)`. Callbacks are passed with `Comlink.proxy`.
 */
import type {
  AttentionConfig,
  Correctness,
  Env,
  KernelInfo,
  ResultFile,
  RunProgress,
  RunSpec,
  UserKernelSpec,
} from '../model/index.ts';
import type { CompileMessage } from '../webgpu/pipeline.ts';
import type { UserCompileOutcome } from '../webgpu/user-kernel.ts';

export type { CompileMessage, UserCompileOutcome };

/** A user kernel's check (no timing): figures against f64, or why it could not run. */
export type UserCheckOutcome =
  | {
      ok: true;
      correctness: Correctness;
      kernelParams: Record<string, string | number | boolean>;
    }
  | {
      ok: false;
      code: string;
      message: string;
      /** True when the GPU device was lost (the engine re-initialises on the next call). */
      deviceLost: boolean;
    };

/**
 * How to get WebGPU in a browser, shown wherever the lab meets its absence (no navigator.gpu,
 * no adapter, a failed start): the browser's own steps, never a Node or package-manager one.
 */
export const BROWSER_WEBGPU_HELP =
  'WebGPU runs in Chrome and Edge 113 or newer on Windows, macOS and ChromeOS (Android: Chrome 121+). ' +
  'On Linux, start Chrome or Chromium with --enable-unsafe-webgpu (or turn on chrome://flags/#enable-unsafe-webgpu and restart it); ' +
  'on a machine without a GPU driver add --enable-unsafe-swiftshader, which emulates the GPU on the CPU. ' +
  'Safari has WebGPU from Safari 26 (macOS 26, iOS 26). Firefox has it from 141 on Windows; ' +
  'on macOS and Linux it is still rolling out (Firefox Nightly, or dom.webgpu.enabled in about:config). ' +
  'The page must come from https:// or localhost. Runner targets work without WebGPU.';

/** Engine availability: WebGPU present or not, and why. */
export type EngineStatus =
  | { state: 'ready'; env: Env; kernels: KernelInfo[] }
  | { state: 'unavailable'; reason: string; help: string };

/** A WebGPU run request from the lab. */
export interface WorkerRunRequest extends RunSpec {
  /** Run id chosen by the lab. */
  id: string;
}

/** Streaming callbacks of a run. */
export interface WorkerRunHooks {
  /** New samples (ms per launch) since the last call. */
  onSamples(ms: number[]): void;
  onProgress(progress: RunProgress): void;
  onCheck(correctness: Correctness): void;
}

/** The worker's API. */
export interface WorkerApi {
  /** Creates (or re-creates after loss) the device; never throws — reports why instead. */
  init(): Promise<EngineStatus>;
  /** Runs check + timing; resolves with the result file (failed/cancelled ones included). */
  run(request: WorkerRunRequest, hooks: WorkerRunHooks): Promise<ResultFile>;
  /** Cancels a run by id (no-op when unknown). */
  cancel(id: string): void;
  /** Compiles a user WGSL kernel for a config; messages at the user's line and column. */
  compileUser(spec: UserKernelSpec, config: AttentionConfig): Promise<UserCompileOutcome>;
  /** Checks a user kernel on seeded inputs with poisoned output against f64 (never timed). */
  checkUser(spec: UserKernelSpec, config: AttentionConfig, seed: number): Promise<UserCheckOutcome>;
}
