/** The lab's handle on the engine worker: a comlink proxy of WorkerApi. */
import { wrap } from 'comlink';
import type { Remote } from 'comlink';
import type { WorkerApi } from './api.ts';

/** The engine worker's API and the way to stop the worker (a shader that never ends). */
export interface EngineWorker {
  api: Remote<WorkerApi>;
  terminate: () => void;
}

/** Starts the engine worker: its API (callbacks must be wrapped with `proxy`) and terminate. */
export function createEngineWorker(): EngineWorker {
  const worker = new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module' });
  return {
    api: wrap<WorkerApi>(worker),
    terminate: () => {
      worker.terminate();
    },
  };
}

/** Starts the engine worker and returns its API (callbacks must be wrapped with `proxy`). */
export function createEngineClient(): Remote<WorkerApi> {
  return createEngineWorker().api;
}
