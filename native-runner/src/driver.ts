/**
 * The job driver: runs one harness process (CUDA, CPU, SDPA — anything that speaks the harness
 * lines), feeds it the config as flags, parses its stdout line by line, applies the stop rule
 * (for `ci` and `time` rules the harness streams until the driver writes `stop`), enforces an
 * idle timeout, kills it on cancel (SIGTERM, then SIGKILL), and builds the final result file —
 * completed, failed or cancelled, with partial samples kept and marked.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import {
  RESULT_SCHEMA,
  deriveFigures,
  estimateMemory,
  hasKvShape,
  kvHeadsOf,
  kvSeqLenOf,
  parseHarnessLine,
  resultSchema,
  describeStopReason,
  shouldStop,
} from '../../src/model/index.ts';
import type {
  ClockReading,
  Correctness,
  Derived,
  Env,
  ErrorCode,
  HarnessLine,
  Memory,
  MemoryModelBackend,
  ResultFile,
  ResultFileInput,
  StopReason,
  Timing,
} from '../../src/model/index.ts';
import { toolInfo } from '../../src/node/host.ts';
import { median } from '../../src/stats/index.ts';
import { RunnerError, isErrorCode } from './backend.ts';
import type { JobHandle, JobHooks, JobRequest } from './backend.ts';
import { mergeHostEnv, tail } from './backends/host.ts';
import { deriveFiguresOffThread } from './derive-offthread.ts';
import { userKernelRecord } from './user-code.ts';

/** How to start a harness process. */
export interface HarnessCommand {
  /** Executable. */
  command: string;
  /** Arguments before the run's flags (e.g. the Python script's path). */
  args: readonly string[];
}

/** One job for the driver. */
export interface DriverJob {
  /** Backend id written into the result. */
  backend: string;
  /** The validated request. */
  request: JobRequest;
  /** Resolves the harness to run, compiling it first when needed (phase `compiling`). */
  resolve: () => Promise<HarnessCommand>;
  /** Raw f32 file of q, k, v back to back, passed as `--inputs`. */
  inputsPath?: string | undefined;
  /** Where the harness writes O as raw f32 (`--output`). */
  outputPath?: string | undefined;
  /** The user kernel's source file (`--kernel-file`), written by the backend before launch. */
  kernelFilePath?: string | undefined;
  /** Timing method to label a run that ended before the harness reported its timing. */
  timingMethod: Timing['method'];
  /** Memory model used when the harness never reported memory. */
  memoryModel: MemoryModelBackend;
  /** Kernels that store the S×S score matrix (for the fallback memory estimate). */
  materializesScores?: boolean | undefined;
  /** Grace between SIGTERM and SIGKILL, ms (default 2000). */
  killGraceMs?: number | undefined;
  /** Extra environment variables of the harness (e.g. CUDA_VISIBLE_DEVICES to pin a GPU). */
  env?: Readonly<Record<string, string>> | undefined;
}

/** Default time a harness may stay silent before the job fails with `timeout`. */
export const DEFAULT_IDLE_TIMEOUT_MS = 120_000;

/** The harness flags for a request (shared by every native harness). */
export function harnessArgs(
  request: JobRequest,
  files: {
    inputsPath?: string | undefined;
    outputPath?: string | undefined;
    kernelFilePath?: string | undefined;
  } = {},
): string[] {
  const c = request.config;
  // prettier-ignore
  const args = [
    '--kernel', request.kernel,
    '--batch', String(c.batch),
    '--heads', String(c.heads),
    '--seq', String(c.seqLen),
    '--dim', String(c.headDim),
    '--causal', c.causal ? '1' : '0',
    '--dtype', c.dtype,
    '--seed', String(request.seed),
    '--flush-ms', '100',
  ];
  if (c.scale !== undefined) args.push('--scale', String(c.scale));
  // Only when K/V differ from Q: harnesses without GQA support never see the flags (their
  // backends refuse such configs before starting them).
  if (hasKvShape(c))
    args.push('--kv-heads', String(kvHeadsOf(c)), '--kv-seq', String(kvSeqLenOf(c)));
  if (request.warmup !== undefined) args.push('--warmup', String(request.warmup));
  if (request.cache === 'warm') args.push('--warm');
  const stop = request.stop;
  if (stop.kind === 'count') args.push('--iterations', String(stop.iterations));
  else if (stop.kind === 'time') args.push('--max-ms', String(stop.budgetMs));
  else {
    // The driver sends `stop` when the CI target is met; these are the harness's own limits.
    args.push('--max-samples', String(stop.maxIterations ?? 10_000));
    args.push('--max-ms', String(stop.maxMs ?? 60_000));
  }
  if (files.inputsPath !== undefined) args.push('--inputs', files.inputsPath);
  if (files.outputPath !== undefined) args.push('--output', files.outputPath);
  const user = request.userKernel;
  // A WGSL source is read by the harness; a .cu source was built into the harness itself.
  if (files.kernelFilePath !== undefined && user?.language === 'wgsl') {
    args.push('--kernel-file', files.kernelFilePath);
  }
  if (user?.language === 'wgsl' && user.like !== undefined) args.push('--like', user.like);
  if (user?.language === 'python') args.push('--callable', user.callable);
  return args;
}

/** Maps a harness error code onto a protocol code; unknown ones become `harness-error`. */
export function toErrorCode(code: string): ErrorCode {
  return isErrorCode(code) ? code : 'harness-error';
}

/** Signals a harness's process group (it and anything it started), or the process alone. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid !== undefined && process.platform !== 'win32') {
    try {
      process.kill(-child.pid, signal);
      return;
    } catch {
      // The group is gone already or was never made; fall back to the process itself.
    }
  }
  child.kill(signal);
}

type Ending =
  | { kind: 'cancelled'; message: string }
  | { kind: 'timeout'; message: string }
  | { kind: 'failed'; code: ErrorCode; message: string };

function runId(backend: string, kernel: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const rand = Math.floor(Math.random() * 0xffffff)
    .toString(16)
    .padStart(6, '0');
  return `${stamp}-${backend}-${kernel}-${rand}`;
}

class HarnessRun {
  readonly done: Promise<ResultFile>;
  private resolveDone: (r: ResultFile) => void = () => undefined;
  private rejectDone: (e: unknown) => void = () => undefined;
  private readonly createdAt = new Date().toISOString();
  private readonly t0 = performance.now();
  private timingT0: number | null = null;
  private phase = 'setup';
  private child: ChildProcess | null = null;
  private readonly ms: number[] = [];
  private throttled: boolean[] | null = [];
  private readonly clocks: ClockReading[] = [];
  private hello: Extract<HarnessLine, { type: 'hello' }> | null = null;
  private correctness: Correctness | null = null;
  private memory: Memory | null = null;
  private timing: Timing | null = null;
  private harnessError: { code: string; message: string } | null = null;
  private ending: Ending | null = null;
  private stopReason: StopReason | null = null;
  private stopSent = false;
  private stderr = '';
  private lastProgress = -Infinity;
  private idleTimer: NodeJS.Timeout | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  private finished = false;

  constructor(
    private readonly job: DriverJob,
    private readonly hooks: JobHooks,
  ) {
    this.done = new Promise((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
  }

  start(): void {
    this.setPhase('compiling');
    this.job.resolve().then(
      (cmd) => {
        if (this.ending) this.finish(null, null);
        else this.spawn(cmd);
      },
      (err: unknown) => {
        const code = err instanceof RunnerError ? err.code : 'harness-error';
        this.ending ??= { kind: 'failed', code, message: (err as Error).message };
        this.finish(null, null);
      },
    );
  }

  cancel(reason: string): void {
    if (this.finished) return;
    this.ending ??= { kind: 'cancelled', message: reason };
    if (this.child) this.kill();
    else this.finish(null, null);
  }

  private spawn(cmd: HarnessCommand): void {
    const { request } = this.job;
    const args = [...cmd.args, ...harnessArgs(request, this.job)];
    // Its own process group: a Ctrl-C at the runner's terminal reaches the runner, which ends
    // the job (result saved), not the harness behind its back; kill() ends the whole group. The
    // harness itself dies with the runner (a parent-death check) should the runner be killed.
    const child = spawn(cmd.command, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
      ...(this.job.env ? { env: { ...process.env, ...this.job.env } } : {}),
    });
    this.child = child;
    this.setPhase('setup');
    child.stdin.on('error', () => undefined); // the harness may exit before reading `stop`
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-8000);
    });
    createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => {
      this.onLine(line);
    });
    child.on('error', (err) => {
      this.ending ??= {
        kind: 'failed',
        code: 'harness-crash',
        message: `cannot start the ${this.job.backend} harness (${cmd.command}): ${err.message}`,
      };
      this.finish(null, null);
    });
    child.on('close', (code, signal) => {
      this.finish(code, signal);
    });
    this.armIdle();
  }

  private armIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const ms = this.job.request.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.idleTimer = setTimeout(() => {
      this.ending ??= {
        kind: 'timeout',
        message: `the ${this.job.backend} harness printed nothing for ${ms / 1000} s (phase ${this.phase}); killed`,
      };
      this.kill();
    }, ms);
  }

  private kill(): void {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    signalGroup(child, 'SIGTERM');
    this.killTimer ??= setTimeout(() => {
      signalGroup(child, 'SIGKILL');
    }, this.job.killGraceMs ?? 2000);
  }

  private setPhase(phase: string): void {
    this.phase = phase;
    if (phase === 'timing') this.timingT0 ??= performance.now();
    this.progress(true);
  }

  private progress(force: boolean): void {
    const now = performance.now();
    if (!force && now - this.lastProgress < 100) return;
    this.lastProgress = now;
    const stop = this.job.request.stop;
    this.hooks.onProgress({
      phase: this.phase,
      samples: this.ms.length,
      elapsedMs: now - this.t0,
      medianMs: this.ms.length > 0 ? median(this.ms) : null,
      expected: stop.kind === 'count' ? stop.iterations : null,
    });
  }

  private onLine(text: string): void {
    if (text.trim() === '' || this.finished) return;
    this.armIdle();
    const parsed = parseHarnessLine(text);
    if (!parsed.ok) {
      this.ending ??= { kind: 'failed', code: 'harness-error', message: parsed.error };
      this.kill();
      return;
    }
    const line = parsed.line;
    switch (line.type) {
      case 'hello':
        this.hello = line;
        break;
      case 'log':
        if (line.message.startsWith('phase ')) this.setPhase(line.message.slice(6).trim());
        break;
      case 'check':
        this.correctness = line.correctness;
        this.hooks.onCheck(line.correctness);
        break;
      case 'memory':
        this.memory = line.memory;
        this.hooks.onMemory(line.memory);
        break;
      case 'clock':
        this.clocks.push(line.clock);
        this.hooks.onClock(line.clock);
        break;
      case 'samples':
        this.onSamples(line.ms, line.throttled);
        break;
      case 'done':
        this.timing = line.timing;
        break;
      case 'error':
        this.harnessError ??= { code: line.code, message: line.message };
        break;
    }
  }

  private onSamples(ms: number[], throttled: boolean[] | undefined): void {
    if (ms.length === 0) return;
    this.ms.push(...ms);
    if (this.throttled && throttled?.length === ms.length) this.throttled.push(...throttled);
    else this.throttled = null; // unknown for some samples: drop the flags rather than guess
    this.hooks.onSamples(ms, throttled?.length === ms.length ? throttled : undefined);
    const rule = this.job.request.stop;
    const elapsed = performance.now() - (this.timingT0 ?? this.t0);
    const reason = shouldStop(rule, this.ms, elapsed);
    if (reason && !this.stopReason) this.stopReason = reason;
    if (reason && rule.kind !== 'count' && !this.stopSent && this.child) {
      this.stopSent = true;
      this.child.stdin?.write('stop\n');
      this.child.stdin?.end();
    }
    this.progress(false);
  }

  private finish(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.finished) return;
    this.finished = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.killTimer) clearTimeout(this.killTimer);
    let ending = this.ending;
    if (!ending && this.harnessError) {
      const { code: c, message } = this.harnessError;
      const mapped = toErrorCode(c);
      ending = {
        kind: 'failed',
        code: mapped,
        message: mapped === c ? message : `${c}: ${message}`,
      };
    }
    if (!ending && (code !== 0 || !this.timing)) {
      const how = signal ? `was killed by ${signal}` : `exited with code ${code ?? '?'}`;
      const err = tail(this.stderr, 1500);
      ending = {
        kind: 'failed',
        code: 'harness-crash',
        message: `the ${this.job.backend} harness ${how} before finishing (phase ${this.phase})${err ? `; stderr: ${err}` : ''}`,
      };
    }
    void this.complete(ending);
  }

  /** Computes the derived figures off the event loop, then assembles and hands back the result. */
  private async complete(ending: Ending | null): Promise<void> {
    const { config } = this.job.request;
    const { seed } = this.job.request;
    let derived: Derived | null;
    try {
      derived = await deriveFiguresOffThread(config, this.ms, seed);
    } catch {
      // No worker thread (a broken install): the figures still come, on this thread.
      derived = deriveFigures(config, this.ms, { seed });
    }
    try {
      this.resolveDone(this.buildResult(ending, derived));
    } catch (err) {
      // A harness line passed its schema but the assembled file did not: report, don't hang.
      const message = `internal error assembling the result: ${(err as Error).message}`;
      try {
        this.resolveDone(this.buildResult({ kind: 'failed', code: 'internal', message }, derived));
      } catch (again) {
        this.rejectDone(again);
      }
    }
  }

  private buildResult(ending: Ending | null, derived: Derived | null): ResultFile {
    const { request, backend } = this.job;
    const status = !ending ? 'completed' : ending.kind === 'cancelled' ? 'cancelled' : 'failed';
    const notes = [...(this.timing?.notes ?? [])];
    if (this.stopReason) {
      const rule = request.stop;
      const elapsed = performance.now() - (this.timingT0 ?? this.t0);
      notes.push(describeStopReason(this.stopReason, rule, this.ms, elapsed));
    }
    const timing: Timing = {
      ...(this.timing ?? {
        method: this.job.timingMethod,
        quantumMs: null,
        dispatchesPerSample: 1,
        warmup: 0,
        cache: request.cache,
        notes: [],
      }),
      stopRule: request.stop,
      notes: this.timing
        ? notes
        : [...notes, 'the run ended before the harness reported its timing'],
    };
    const memory: Memory = this.memory ?? {
      estimateBytes: estimateMemory(request.config, this.job.memoryModel, {
        materializesScores: this.job.materializesScores ?? false,
        coldCache: request.cache === 'cold',
      }).totalBytes,
      peakBytes: null,
      deviceTotalBytes: null,
      usageFraction: null,
      oomRisk: false,
    };
    const env: Env = mergeHostEnv(this.hello?.env);
    const input: ResultFileInput = {
      schema: RESULT_SCHEMA,
      id: runId(backend, request.kernel),
      createdAt: this.createdAt,
      tool: toolInfo(),
      config: request.config,
      target: {
        backend,
        kernel: request.kernel,
        kernelParams: this.hello?.kernelParams ?? {},
        ...(request.userKernel ? { userKernel: userKernelRecord(request.userKernel) } : {}),
      },
      env,
      timing,
      samples: {
        ms: this.ms,
        ...(this.throttled && this.throttled.length === this.ms.length && this.ms.length > 0
          ? { throttled: this.throttled }
          : {}),
        partial: status !== 'completed',
      },
      clocks: this.clocks,
      memory,
      correctness: this.correctness,
      derived,
      status,
      ...(ending
        ? {
            error: {
              code: ending.kind === 'failed' ? ending.code : ending.kind,
              message: ending.message,
            },
          }
        : {}),
    };
    return resultSchema.parse(input);
  }
}

/**
 * Starts a harness job. `done` resolves with the final result file whatever happens to the
 * harness (crash, timeout, cancel); it rejects only if no valid result file can be assembled.
 */
export function runHarness(job: DriverJob, hooks: JobHooks): JobHandle {
  const run = new HarnessRun(job, hooks);
  run.start();
  return {
    cancel: (reason?: string) => {
      run.cancel(reason ?? 'cancelled');
    },
    done: run.done,
  };
}
