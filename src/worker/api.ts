/**
 * The WebGPU engine's API as the lab sees it through comlink. The worker implements it; the lab
 * calls it with `Comlink.wrap<WorkerApi>(worker)`. Callbacks are passed with `Comlink.proxy`.
 */
import type {
  Correctness,
  Env,
  KernelInfo,
  ResultFile,
  RunProgress,
  RunSpec,
} from '../model/index.ts';

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
}
