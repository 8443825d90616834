/** The lab's handle on the engine worker: a comlink proxy of WorkerApi. */
import { wrap } from 'comlink';
import type { Remote } from 'comlink';
import type { WorkerApi } from './api.ts';

/** Starts the engine worker and returns its API (callbacks must be wrapped with `proxy`). */
export function createEngineClient(): Remote<WorkerApi> {
  const worker = new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module' });
  return wrap<WorkerApi>(worker);
}
