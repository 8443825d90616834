/**
 * One way to start a run on any target: the browser's WebGPU engine or a runner's backend. Run,
 * Compare and Sweep all go through here, so a target behaves the same in every view.
 */
import type {
  AttentionConfig,
  Correctness,
  Memory,
  ResultFile,
  RunProgress,
  StopRule,
} from '../../model/index.ts';
import type { BrowserEngine } from '../engine/engine.svelte.ts';
import type { RunnerRegistry } from '../runners/registry.svelte.ts';
import { BROWSER_ORIGIN, targetLabel, type TargetRef } from '../lib/targets.ts';

/** What to run. */
export interface RunSpec {
  /** Run id ([A-Za-z0-9_.:-]). */
  id: string;
  target: TargetRef;
  config: AttentionConfig;
  stop: StopRule;
  cache: 'cold' | 'warm';
  seed: number;
  /** GPU index on the target's runner to pin the run to (absent: the runner picks). */
  device?: number | undefined;
}

/** Streaming events of a run. */
export interface RunEvents {
  onSamples(ms: number[]): void;
  onProgress(progress: RunProgress): void;
  onCheck(correctness: Correctness): void;
  onMemory(memory: Memory): void;
}

/** Events for a run nobody watches while it streams (only its result matters). */
const IGNORED: RunEvents = {
  onSamples: () => undefined,
  onProgress: () => undefined,
  onCheck: () => undefined,
  onMemory: () => undefined,
};

/** A run in flight. */
export interface RunHandle {
  /** The result file (completed, failed or cancelled); rejects when no result could be made. */
  done: Promise<ResultFile>;
  /** Asks the engine to stop the run. */
  cancel: () => void;
}

let counter = 0;

/** A fresh run id, e.g. `lab-m3x9k2-4`. */
export function newRunId(prefix = 'lab'): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}`;
}

/** Labels a runner result with the runner's host so the history tells runners apart. */
function labelled(result: ResultFile, target: TargetRef): ResultFile {
  if (result.target.label !== undefined) return result;
  const { backend, kernel } = result.target;
  return {
    ...result,
    target: { ...result.target, label: targetLabel({ origin: target.origin, backend, kernel }) },
  };
}

/** Starts runs on browser or runner targets. */
export class Executor {
  readonly #engine: BrowserEngine;
  readonly #runners: RunnerRegistry;

  constructor(engine: BrowserEngine, runners: RunnerRegistry) {
    this.#engine = engine;
    this.#runners = runners;
  }

  /**
   * The GPU indices a runner target's backend can run on (one lane each); empty for the
   * browser, a runner that is not connected, or a backend without listed GPUs.
   */
  devicesOf(target: TargetRef): number[] {
    if (target.origin === BROWSER_ORIGIN) return [];
    const info = this.#runners.get(target.origin)?.backends.find((b) => b.id === target.backend);
    return (info?.devices ?? []).map((d) => d.index);
  }

  /**
   * Starts a run; failures to start reject `done` with a message naming the target. Without
   * `events`, streamed samples and progress are ignored.
   */
  start(spec: RunSpec, events: RunEvents = IGNORED): RunHandle {
    const { target } = spec;
    if (target.origin === BROWSER_ORIGIN) {
      const handle = this.#engine.run(
        {
          id: spec.id,
          config: spec.config,
          kernel: target.kernel,
          stop: spec.stop,
          cache: spec.cache,
          seed: spec.seed,
          ...(target.userKernel !== undefined ? { userKernel: target.userKernel } : {}),
        },
        events,
      );
      return { done: handle.done.then((r) => labelled(r, target)), cancel: handle.cancel };
    }
    if (target.userKernel !== undefined) {
      const err = new Error(
        `${targetLabel(target)}: user kernels from the Kernel view run in this browser's WebGPU engine only`,
      );
      return { done: Promise.reject(err), cancel: () => undefined };
    }
    const conn = this.#runners.get(target.origin);
    if (!conn) {
      const err = new Error(
        `runner ${target.origin} is not in the Runners list; add it there first`,
      );
      return { done: Promise.reject(err), cancel: () => undefined };
    }
    const handle = conn.run(
      {
        id: spec.id,
        config: spec.config,
        backend: target.backend,
        kernel: target.kernel,
        stop: spec.stop,
        cache: spec.cache,
        seed: spec.seed,
        ...(spec.device !== undefined ? { device: spec.device } : {}),
      },
      { ...events, onClock: () => undefined },
    );
    return { done: handle.done.then((r) => labelled(r, target)), cancel: handle.cancel };
  }
}
