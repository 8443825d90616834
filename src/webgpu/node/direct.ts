/**
 * `attnlab run --backend webgpu|dawn`: the WebGPU engine in Node through Dawn, as a
 * DirectRunner. One engine per process, re-opened when its device was lost.
 */
import type { DirectRunner } from '../../model/index.ts';
import type { AttentionEngine } from '../engine.ts';
import { openNodeEngine } from './open.ts';

let current: Promise<AttentionEngine> | undefined;

/** Opens (or reuses) the Dawn engine; throws an EngineError saying what to install if no adapter. */
export async function openDawnEngine(): Promise<AttentionEngine> {
  if (current) {
    const engine = await current.catch(() => undefined);
    if (engine && !engine.lost) return engine;
    current = undefined;
  }
  current = openNodeEngine();
  return current;
}

/** Frees the process's Dawn engine (the next run opens a new one). */
export async function closeDawnEngine(): Promise<void> {
  const engine = await current?.catch(() => undefined);
  current = undefined;
  engine?.destroy();
}

/** The Dawn direct runner: check against the f64 reference, then time, then a result file. */
export const runDawnDirect: DirectRunner = async (options) => {
  const engine = await openDawnEngine();
  return engine.run(options);
};
