/**
 * The browser's own WebGPU engine, as the lab sees it: availability (with the reason and the
 * browsers/flags that work when it is missing), kernels, and runs — all through the engine
 * worker's comlink API (`src/worker/api.ts`).
 */
import { proxy, type Remote } from 'comlink';
import { BROWSER_WEBGPU_HELP } from '../../worker/api.ts';
import type {
  EngineStatus,
  UserCheckOutcome,
  UserCompileOutcome,
  WorkerApi,
  WorkerRunHooks,
  WorkerRunRequest,
} from '../../worker/api.ts';
import type {
  AttentionConfig,
  Env,
  KernelInfo,
  ResultFile,
  UserKernelSpec,
} from '../../model/index.ts';

/** How to get WebGPU, shown wherever the person meets its absence (the browser's own steps). */
export const WEBGPU_HELP = BROWSER_WEBGPU_HELP;

/** Engine state as the views see it. */
export type BrowserEngineStatus = { state: 'starting' } | EngineStatus;

/** The engine as loaded: its API, and how to stop it when a call never returns. */
export interface EngineClient {
  api: Remote<WorkerApi>;
  /** Stops the worker (absent: the client cannot be stopped, it is only dropped). */
  terminate?: () => void;
}

/** Loads the engine client (a seam so tests can give the lab another engine). */
export type EngineLoader = () => Promise<EngineClient | null>;

/** Default loader: the engine worker, loaded on first use so the page paints first. */
export const defaultEngineLoader: EngineLoader = async () => {
  const { createEngineWorker } = await import('../../worker/client.ts');
  return createEngineWorker();
};

/**
 * How long a user kernel's check may take before the lab decides the shader never ends: a
 * check is one launch on small seeded inputs plus the f64 reference on sampled rows, seconds
 * even on a CPU-emulated adapter. Past it the worker is stopped and a new one started.
 */
export const USER_CHECK_TIMEOUT_MS = 120_000;

/** Checks, on the page, that WebGPU can exist here at all; returns the reason it cannot. */
export function webgpuMissingReason(): string | null {
  if (typeof window !== 'undefined' && !window.isSecureContext) {
    return 'WebGPU needs a secure context: this page is not served from https:// or localhost.';
  }
  if (typeof navigator === 'undefined' || !('gpu' in navigator)) {
    return 'This browser has no WebGPU (navigator.gpu is missing).';
  }
  return null;
}

/** A browser WebGPU run in flight. */
export interface EngineRunHandle {
  /** Resolves with the result file (completed, failed or cancelled). */
  done: Promise<ResultFile>;
  /** Asks the engine to stop; `done` resolves with the partial result. */
  cancel: () => void;
}

/** The browser engine. */
export class BrowserEngine {
  /** Availability. */
  status: BrowserEngineStatus = $state.raw({ state: 'starting' });
  /** Kernels when ready, else none. */
  readonly kernels: KernelInfo[] = $derived(
    this.status.state === 'ready' ? this.status.kernels : [],
  );
  /** Adapter fingerprint when ready. */
  readonly env: Env | null = $derived(this.status.state === 'ready' ? this.status.env : null);

  #client: EngineClient | null = null;
  readonly #loader: EngineLoader;
  readonly #checkTimeoutMs: number;

  constructor(loader: EngineLoader = defaultEngineLoader, checkTimeoutMs = USER_CHECK_TIMEOUT_MS) {
    this.#loader = loader;
    this.#checkTimeoutMs = checkTimeoutMs;
  }

  get #api(): Remote<WorkerApi> | null {
    return this.#client?.api ?? null;
  }

  /** Starts (or restarts after a lost device) the engine. Never throws. */
  async init(): Promise<void> {
    this.status = { state: 'starting' };
    const missing = webgpuMissingReason();
    if (missing !== null) {
      this.status = { state: 'unavailable', reason: missing, help: WEBGPU_HELP };
      return;
    }
    try {
      this.#client ??= await this.#loader();
      if (this.#client === null) {
        this.status = {
          state: 'unavailable',
          reason: 'The WebGPU engine is disabled in this lab.',
          help: 'Runner targets still work.',
        };
        return;
      }
      this.status = await this.#client.api.init();
    } catch (err) {
      this.status = {
        state: 'unavailable',
        reason: `The WebGPU engine failed to start: ${err instanceof Error ? err.message : String(err)}`,
        help: WEBGPU_HELP,
      };
    }
  }

  /** Compiles a user kernel in the worker; rejects while WebGPU is not ready. */
  async compileUser(spec: UserKernelSpec, config: AttentionConfig): Promise<UserCompileOutcome> {
    return (await this.#ready()).compileUser(spec, config);
  }

  /**
   * Checks a user kernel against f64 in the worker; rejects while WebGPU is not ready. A check
   * that has not answered after the timeout (a shader that never ends hangs the worker on
   * adapters without a GPU watchdog) stops the worker, starts a new one and rejects saying so.
   */
  async checkUser(
    spec: UserKernelSpec,
    config: AttentionConfig,
    seed: number,
  ): Promise<UserCheckOutcome> {
    const api = await this.#ready();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const hung = new Promise<'hung'>((resolve) => {
      timer = setTimeout(() => {
        resolve('hung');
      }, this.#checkTimeoutMs);
    });
    try {
      const out = await Promise.race([api.checkUser(spec, config, seed), hung]);
      if (out !== 'hung') return out;
    } finally {
      clearTimeout(timer);
    }
    this.#client?.terminate?.();
    this.#client = null;
    void this.init();
    throw new Error(
      `the check did not finish within ${String(this.#checkTimeoutMs / 1000)} s — the shader may never end (an endless loop?). The WebGPU engine was stopped and restarted; your text is kept.`,
    );
  }

  #ready(): Promise<Remote<WorkerApi>> {
    const api = this.#api;
    if (api === null || this.status.state !== 'ready') {
      const reason =
        this.status.state === 'unavailable' ? this.status.reason : 'WebGPU is still starting';
      return Promise.reject(new Error(reason));
    }
    return Promise.resolve(api);
  }

  /** Starts a run in the engine worker. */
  run(request: WorkerRunRequest, hooks: WorkerRunHooks): EngineRunHandle {
    const api = this.#api;
    if (api === null || this.status.state !== 'ready') {
      const reason =
        this.status.state === 'unavailable' ? this.status.reason : 'WebGPU is still starting';
      return { done: Promise.reject(new Error(reason)), cancel: () => undefined };
    }
    const done = api.run(request, proxy(hooks));
    return {
      done,
      cancel: () => {
        void api.cancel(request.id);
      },
    };
  }
}
