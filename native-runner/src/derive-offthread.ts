/**
 * Derived figures (median, BCa bootstrap CI, TFLOP/s, GB/s) computed off the event loop: the
 * bootstrap of a 100,000-sample run takes ~18 s on one core, which on the runner's main thread
 * would freeze every other client. Small runs (cheaper than starting a worker) stay inline.
 */
import { Worker } from 'node:worker_threads';
import { deriveFigures } from '../../src/model/index.ts';
import type { AttentionConfig, Derived } from '../../src/model/index.ts';

/** Below this many samples the figures are computed inline (a few tens of ms at most). */
export const INLINE_MAX_SAMPLES = 500;

const WORKER_URL = new URL('./derive-worker.js', import.meta.url);

/**
 * `deriveFigures(config, ms, { seed })`, in a worker thread when `ms` is large. Resolves with the
 * same figures the inline call gives (same seed, same numbers); rejects if the worker fails.
 */
export function deriveFiguresOffThread(
  config: AttentionConfig,
  ms: readonly number[],
  seed: number,
  inlineMax: number = INLINE_MAX_SAMPLES,
): Promise<Derived | null> {
  if (ms.length <= inlineMax) return Promise.resolve(deriveFigures(config, ms, { seed }));
  const samples = Float64Array.from(ms);
  return new Promise((resolve, reject) => {
    // execArgv: [] so the worker never inherits loader flags; it registers tsx itself.
    const worker = new Worker(WORKER_URL, {
      workerData: { config, ms: samples, seed },
      transferList: [samples.buffer],
      execArgv: [],
    });
    let settled = false;
    worker.once('message', (derived: Derived | null) => {
      settled = true;
      resolve(derived);
      void worker.terminate();
    });
    worker.once('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the statistics worker exited with code ${code}`));
    });
  });
}
