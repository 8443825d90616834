/**
 * The WorkerApi implementation: the WebGPU engine behind comlink. Independent of the worker
 * global, so it runs (and is tested) in Node through Dawn as well as in a browser worker.
 */
import type { AttentionConfig, ResultFile, UserKernelSpec } from '../model/index.ts';
import { AttentionEngine } from '../webgpu/engine.ts';
import type { EngineHost } from '../webgpu/engine.ts';
import { EngineError, errorCodeOf, errorMessageOf } from '../webgpu/errors.ts';
import type { UserCompileOutcome } from '../webgpu/user-kernel.ts';
import type {
  EngineStatus,
  UserCheckOutcome,
  WorkerApi,
  WorkerRunHooks,
  WorkerRunRequest,
} from './api.ts';
import { BROWSER_WEBGPU_HELP } from './api.ts';

/** What the API needs from its surroundings. */
export interface EngineApiDeps {
  /** The WebGPU entry point (`navigator.gpu` in a worker), or undefined where there is none. */
  gpu: () => GPU | undefined;
  /** Engine host: backend id, runtime string, shader sources, tool info. */
  host: EngineHost;
}

/** Help shown when the browser has no WebGPU or no adapter: the browser's own steps. */
export const NO_WEBGPU_HELP = BROWSER_WEBGPU_HELP;

/** Calls a hook without letting a closed page (a dead comlink proxy) break the run. */
function notify(call: () => unknown): void {
  try {
    void Promise.resolve(call()).catch(() => undefined);
  } catch {
    // The hook threw synchronously; the run goes on.
  }
}

/** Creates the API the worker exposes: init (re-creates a lost device), run (one at a time), cancel. */
export function createEngineApi(deps: EngineApiDeps): WorkerApi {
  let engine: AttentionEngine | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  const runs = new Map<string, AbortController>();

  async function init(): Promise<EngineStatus> {
    try {
      if (engine && !engine.lost)
        return { state: 'ready', env: engine.env(), kernels: engine.kernels() };
      engine = undefined;
      const gpu = deps.gpu();
      if (!gpu) {
        return {
          state: 'unavailable',
          reason: 'this browser has no WebGPU (navigator.gpu is missing)',
          help: NO_WEBGPU_HELP,
        };
      }
      const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
      if (!adapter)
        return {
          state: 'unavailable',
          reason: 'WebGPU is present but found no adapter',
          help: NO_WEBGPU_HELP,
        };
      engine = await AttentionEngine.open(adapter, deps.host);
      return { state: 'ready', env: engine.env(), kernels: engine.kernels() };
    } catch (err) {
      engine = undefined;
      const help = err instanceof EngineError && err.help !== undefined ? err.help : NO_WEBGPU_HELP;
      return { state: 'unavailable', reason: errorMessageOf(err), help };
    }
  }

  /** The engine, re-opened when its device was lost (a bad shader can lose it). */
  async function ready(): Promise<AttentionEngine> {
    if (!engine || engine.lost) {
      const status = await init();
      if (status.state !== 'ready')
        throw new EngineError('unsupported', status.reason, status.help);
    }
    if (!engine) throw new EngineError('internal', 'the engine did not initialise');
    return engine;
  }

  /** Runs `body` after the queued runs, so a compile or check never lands inside a timing. */
  function queued<T>(body: () => Promise<T>): Promise<T> {
    const result = queue.then(body);
    queue = result.catch(() => undefined);
    return result;
  }

  async function checkUserNow(
    spec: UserKernelSpec,
    config: AttentionConfig,
    seed: number,
  ): Promise<UserCheckOutcome> {
    const e = await ready();
    try {
      const { correctness, kernelParams } = await e.check(config, spec.language, {
        seed,
        userKernel: spec,
      });
      return { ok: true, correctness, kernelParams };
    } catch (err) {
      return {
        ok: false,
        code: errorCodeOf(err),
        message: errorMessageOf(err),
        deviceLost: e.lost,
      };
    }
  }

  async function runNow(
    request: WorkerRunRequest,
    hooks: WorkerRunHooks,
    controller: AbortController,
  ): Promise<ResultFile> {
    if (!engine || engine.lost) {
      const status = await init();
      if (status.state !== 'ready')
        throw new EngineError('unsupported', status.reason, status.help);
    }
    const ready = engine;
    if (!ready) throw new EngineError('internal', 'the engine did not initialise');
    const outcome = await ready.run({
      ...request,
      signal: controller.signal,
      onProgress: (p) => {
        notify(() => {
          hooks.onProgress(p);
        });
      },
      onSamples: (ms) => {
        notify(() => {
          hooks.onSamples(ms);
        });
      },
      onCheck: (c) => {
        notify(() => {
          hooks.onCheck(c);
        });
      },
    });
    return outcome.result;
  }

  return {
    init,
    run(request: WorkerRunRequest, hooks: WorkerRunHooks): Promise<ResultFile> {
      if (runs.has(request.id)) {
        return Promise.reject(
          new EngineError('duplicate-id', `run id "${request.id}" is already queued or running`),
        );
      }
      const controller = new AbortController();
      runs.set(request.id, controller);
      // One run at a time: concurrent runs would time each other.
      const result = queue.then(() => runNow(request, hooks, controller));
      queue = result.catch(() => undefined);
      return result.finally(() => runs.delete(request.id));
    },
    cancel(id: string): void {
      runs.get(id)?.abort();
    },
    compileUser(spec: UserKernelSpec, config: AttentionConfig): Promise<UserCompileOutcome> {
      return queued(async () => (await ready()).compileUser(spec, config));
    },
    checkUser(spec: UserKernelSpec, config: AttentionConfig, seed: number) {
      return queued(() => checkUserNow(spec, config, seed));
    },
  };
}
