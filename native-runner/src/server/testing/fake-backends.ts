/**
 * Test doubles of the `Backend` seam for the server's tests: jobs that stream seeded samples on
 * timers, hang, ignore cancel, throw, break their contract, or drive a real child process that
 * prints harness lines (so a test can kill it or let it hang for real).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createRng } from '../../../../src/stats/index.ts';
import { HARNESS_SCHEMA, parseHarnessLine, shouldStop } from '../../../../src/model/index.ts';
import type { BackendInfo, KernelInfo, ResultFile } from '../../../../src/model/index.ts';
import { RunnerError } from '../../backend.ts';
import { runHarness } from '../../driver.ts';
import type { Backend, JobHandle, JobHooks, JobRequest } from '../../backend.ts';
import { emptyObserved, synthesizeResult } from '../outcome.ts';

/** What a fake kernel does when started. */
export type FakeBehaviour =
  /** Streams seeded samples every tick until the stop rule is met; honours cancel. */
  | 'stream'
  /** Streams a few samples, then goes silent forever; honours cancel. */
  | 'hang'
  /** Streams a few samples, then goes silent and ignores cancel: `done` never settles. */
  | 'deaf'
  /** `start` throws a RunnerError with the code `too-large-for-device`. */
  | 'throw'
  /** `done` rejects with a plain Error. */
  | 'reject'
  /** `done` resolves with something that is not a result file. */
  | 'invalid'
  /** Spawns a child process printing harness `samples` lines until killed. */
  | 'child'
  /** Spawns a child that prints a few harness lines and then hangs, printing nothing. */
  | 'child-hang'
  /**
   * Runs a real harness process through the runner's driver (runHarness): it prints the
   * requested count of seeded samples at once, then `done` (big runs in no time).
   */
  | 'bulk';

/** A fake backend plus what tests inspect. */
export interface FakeBackend extends Backend {
  /** Requests it was started with, in order. */
  readonly started: JobRequest[];
  /** Pids of live child processes by run id (child behaviours only). */
  readonly children: Map<string, number>;
  /** Run ids whose `cancel` was called. */
  readonly cancelled: string[];
}

/** Options of `fakeBackend`. */
export interface FakeOptions {
  /** Backend id (default `fake`). */
  id?: string;
  /** Kernel id → behaviour; each becomes a kernel offering f32/f16, D 32/64/128, causal. */
  kernels?: Record<string, FakeBehaviour>;
  /** Report the backend as unavailable with this reason. */
  unavailableReason?: string;
  /** Tick between sample batches, ms (default 2). */
  tickMs?: number;
  /** Environment the backend reports. */
  env?: ResultFile['env'];
}

const DEFAULT_KERNELS: Record<string, FakeBehaviour> = {
  stream: 'stream',
  hang: 'hang',
  deaf: 'deaf',
  throw: 'throw',
  reject: 'reject',
  invalid: 'invalid',
  child: 'child',
  'child-hang': 'child-hang',
};

function kernelInfo(id: string): KernelInfo {
  return {
    id,
    description: `fake kernel (${id})`,
    dtypes: ['f32', 'f16'],
    headDims: [32, 64, 128],
    causal: true,
    available: true,
  };
}

/** The harness a `child` job runs: seeded samples every 3 ms; with argv[2] = hang, 3 then silence. */
const CHILD_SCRIPT = `
const [seed, mode] = [Number(process.argv[1]), process.argv[2]];
let s = seed >>> 0;
const next = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 4294967296; };
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
out({ type: 'hello', schema: '${HARNESS_SCHEMA}', backend: 'fake', env: {} });
let n = 0;
const timer = setInterval(() => {
  if (mode === 'hang' && n >= 3) return;
  n++;
  out({ type: 'samples', ms: [0.5 + next(), 0.5 + next()] });
}, 3);
process.on('SIGTERM', () => { clearInterval(timer); process.exit(0); });
`;

/** The harness a `bulk` job runs through the driver: `--iterations` seeded samples, then done. */
const BULK_SCRIPT = `
const argv = process.argv;
const flag = (name) => Number(argv[argv.indexOf(name) + 1]);
const n = flag('--iterations');
let s = flag('--seed') >>> 0;
const next = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 4294967296; };
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
out({ type: 'hello', schema: '${HARNESS_SCHEMA}', backend: 'fake', env: {} });
for (let from = 0; from < n; from += 1000) {
  out({ type: 'samples', ms: Array.from({ length: Math.min(1000, n - from) }, () => 0.5 + next()) });
}
out({ type: 'done', timing: { method: 'cpu-clock', quantumMs: null, dispatchesPerSample: 1,
  warmup: 0, cache: 'cold', stopRule: { kind: 'count', iterations: n }, notes: [] } });
`;

let resultCounter = 0;

/** A result the fake backend hands back (built like the runner builds its own). */
function fakeResult(
  request: JobRequest,
  backendId: string,
  ms: number[],
  throttled: boolean[] | undefined,
  end: { status: 'completed' } | { status: 'failed' | 'cancelled'; code: string; message: string },
): ResultFile {
  const observed = { ...emptyObserved(), ms, throttled };
  const base = synthesizeResult({
    request,
    backendId,
    env: {},
    createdAt: new Date().toISOString(),
    observed,
    status: 'failed',
    error: { code: 'x', message: 'x' },
  });
  const timing = { ...base.timing, notes: ['fake backend for server tests'] };
  // Like the real driver, the result gets its own id, distinct from the client's run id.
  const id = `${backendId}-result-${String(++resultCounter)}`;
  if (end.status === 'completed') {
    return {
      ...base,
      id,
      timing,
      samples: { ...base.samples, partial: false },
      status: 'completed',
      error: undefined,
    };
  }
  return {
    ...base,
    id,
    timing,
    status: end.status,
    error: { code: end.code, message: end.message },
  };
}

/** Creates a fake backend; see `FakeBehaviour` for what each kernel does. */
export function fakeBackend(options: FakeOptions = {}): FakeBackend {
  const id = options.id ?? 'fake';
  const kernels = options.kernels ?? DEFAULT_KERNELS;
  const tickMs = options.tickMs ?? 2;
  const started: JobRequest[] = [];
  const children = new Map<string, number>();
  const cancelled: string[] = [];

  const discover = (): Promise<BackendInfo> =>
    Promise.resolve({
      id,
      available: options.unavailableReason === undefined,
      ...(options.unavailableReason !== undefined ? { reason: options.unavailableReason } : {}),
      device: 'fake device',
      kernels: Object.keys(kernels).map(kernelInfo),
    });

  function timerJob(request: JobRequest, hooks: JobHooks, behaviour: FakeBehaviour): JobHandle {
    const rng = createRng(request.seed);
    const ms: number[] = [];
    const throttled: boolean[] = [];
    const t0 = performance.now();
    let resolve: (r: ResultFile) => void = () => undefined;
    const done = new Promise<ResultFile>((r) => {
      resolve = r;
    });
    const end = (r: ResultFile): void => {
      clearInterval(timer);
      resolve(r);
    };
    hooks.onCheck({
      reference: 'fake',
      rowsChecked: 4,
      rowsTotal: request.config.batch * request.config.heads * request.config.seqLen,
      maxAbsErr: rng.next() * 1e-6,
      relL2Err: rng.next() * 1e-6,
      tolerance: 1e-4,
      passed: true,
    });
    hooks.onMemory({
      estimateBytes: 4096,
      peakBytes: 4096 + rng.nextInt(1024),
      deviceTotalBytes: 1 << 30,
      usageFraction: 4096 / (1 << 30),
      oomRisk: false,
    });
    let ticks = 0;
    const timer = setInterval(() => {
      ticks++;
      if (behaviour !== 'stream' && ticks > 3) return; // hang / deaf: go silent
      const batch = Array.from({ length: 1 + rng.nextInt(3) }, () => 0.8 + 0.4 * rng.next());
      const flags = batch.map(() => rng.next() < 0.1);
      ms.push(...batch);
      throttled.push(...flags);
      hooks.onSamples(batch, flags);
      const elapsedMs = performance.now() - t0;
      if (ticks % 10 === 0) {
        hooks.onClock({ t: elapsedMs, smClockMHz: 1400 + rng.nextInt(100), throttleReasons: [] });
      }
      hooks.onProgress({
        phase: 'timing',
        samples: ms.length,
        elapsedMs,
        medianMs: null,
        expected: null,
      });
      if (behaviour === 'stream' && shouldStop(request.stop, ms, elapsedMs) !== null) {
        end(fakeResult(request, id, [...ms], [...throttled], { status: 'completed' }));
      }
    }, tickMs);
    return {
      done,
      cancel: (reason) => {
        cancelled.push(request.id);
        if (behaviour === 'deaf') return;
        end(
          fakeResult(request, id, [...ms], [...throttled], {
            status: 'cancelled',
            code: 'cancelled',
            message: reason ?? 'cancelled',
          }),
        );
      },
    };
  }

  function childJob(request: JobRequest, hooks: JobHooks, hang: boolean): JobHandle {
    const child: ChildProcess = spawn(
      process.execPath,
      ['-e', CHILD_SCRIPT, String(request.seed), hang ? 'hang' : 'run'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    if (child.pid !== undefined) children.set(request.id, child.pid);
    const ms: number[] = [];
    let cancelReason: string | undefined;
    let buffered = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const parsed = parseHarnessLine(line);
        if (parsed.ok && parsed.line.type === 'samples') {
          ms.push(...parsed.line.ms);
          hooks.onSamples(parsed.line.ms, undefined);
        }
      }
    });
    const done = new Promise<ResultFile>((resolve) => {
      child.on('exit', (code, signal) => {
        children.delete(request.id);
        if (cancelReason !== undefined) {
          resolve(
            fakeResult(request, id, ms, undefined, {
              status: 'cancelled',
              code: 'cancelled',
              message: cancelReason,
            }),
          );
        } else {
          resolve(
            fakeResult(request, id, ms, undefined, {
              status: 'failed',
              code: 'harness-crash',
              message: `the harness exited unexpectedly (${signal !== null ? `signal ${signal}` : `code ${String(code)}`})`,
            }),
          );
        }
      });
    });
    return {
      done,
      cancel: (reason) => {
        cancelled.push(request.id);
        cancelReason = reason ?? 'cancelled';
        child.kill('SIGKILL');
      },
    };
  }

  return {
    id,
    started,
    children,
    cancelled,
    discover,
    env: () => Promise.resolve(options.env ?? { software: { fake: '1.0' } }),
    start(request, hooks) {
      started.push(request);
      const behaviour = kernels[request.kernel];
      if (behaviour === undefined) throw new Error(`fake backend: no kernel ${request.kernel}`);
      switch (behaviour) {
        case 'throw':
          throw new RunnerError('too-large-for-device', 'needs 99 GiB; the device has 80 GiB');
        case 'reject':
          return { done: Promise.reject(new Error('backend bug')), cancel: () => undefined };
        case 'invalid':
          return {
            done: Promise.resolve({ schema: 'nope' } as unknown as ResultFile),
            cancel: () => undefined,
          };
        case 'child':
        case 'child-hang':
          return childJob(request, hooks, behaviour === 'child-hang');
        case 'bulk':
          return runHarness(
            {
              backend: id,
              request,
              // `--` ends node's own options: the driver's harness flags follow.
              resolve: () =>
                Promise.resolve({ command: process.execPath, args: ['-e', BULK_SCRIPT, '--'] }),
              timingMethod: 'cpu-clock',
              memoryModel: 'cpu',
            },
            hooks,
          );
        case 'stream':
        case 'hang':
        case 'deaf':
          return timerJob(request, hooks, behaviour);
      }
    },
  };
}
