/**
 * One run on the runner: starts the backend's job when its lane reaches it, forwards events as
 * protocol messages (samples batched, flushed at least every `flushMs`), enforces the job
 * timeout, and ends with exactly one `runDone` (completed) or `error` (failed or cancelled, with
 * the partial result) after writing the result file.
 */
import { resultSchema, formatIssues } from '../../../src/model/index.ts';
import type {
  ClockReading,
  Correctness,
  Env,
  Memory,
  ResultFile,
  RunProgress,
  RunState,
  Saved,
  ServerMessageInput,
} from '../../../src/model/index.ts';
import type { Backend, JobHandle, JobHooks, JobRequest } from '../backend.ts';
import {
  causeStatus,
  describeThrown,
  emptyObserved,
  finalizeResult,
  resultErrorCode,
  synthesizeResult,
} from './outcome.ts';
import type { StopCause } from './outcome.ts';
import type { ResultStore } from './results.ts';
import { clip, finalMessage } from './wire.ts';
import { deriveFiguresOffThread } from '../derive-offthread.ts';
import { recordDevice } from '../devices.ts';

/** Largest samples batch sent in one message; bigger bursts are split. */
const MAX_BATCH = 4096;

/** What a job needs from the runner and its connection. */
export interface JobContext {
  /** The backend that runs the job. */
  backend: Backend;
  /** Fingerprint of the backend's device, for results the runner writes itself. */
  env: Env;
  /** Where the final result is written. */
  store: ResultStore;
  /** Wall-time limit of a running job, ms. */
  timeoutMs: number;
  /** How long a backend gets to end a cancelled job before the runner ends it itself, ms. */
  cancelGraceMs: number;
  /** Longest time a sample waits before it is sent, ms. */
  flushMs: number;
  /** Writes a line to the runner's log. */
  log(line: string): void;
  /** Sends to the job's client; a no-op once the client is gone. */
  send(message: ServerMessageInput): void;
}

interface Batch {
  ms: number[];
  throttled: boolean[] | undefined;
}

/** Appends samples and their flags, keeping the flag array aligned once any flags appear. */
function append(target: Batch, ms: readonly number[], flags: readonly boolean[] | undefined): void {
  if (flags !== undefined && target.throttled === undefined) {
    target.throttled = new Array<boolean>(target.ms.length).fill(false);
  }
  for (let i = 0; i < ms.length; i++) {
    target.ms.push(ms[i] ?? Number.NaN);
    target.throttled?.push(flags?.[i] ?? false);
  }
}

function formatMs(ms: number): string {
  return ms >= 60_000 && ms % 60_000 === 0
    ? `${ms / 60_000} min`
    : ms >= 1000
      ? `${ms / 1000} s`
      : `${ms} ms`;
}

/** A run from acceptance to its final message. */
export class Job {
  /** The validated request. */
  readonly request: JobRequest;
  /** Where the job is in its life. */
  state: RunState = 'queued';
  /** Resolves once the final message is sent and the result written (or its write failed). */
  readonly finished: Promise<void>;
  private readonly ctx: JobContext;
  private readonly observed = emptyObserved();
  private pending: Batch = { ms: [], throttled: undefined };
  private progress: RunProgress | undefined;
  private seq = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private timeoutTimer: NodeJS.Timeout | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  private cause: StopCause | undefined;
  private handle: JobHandle | undefined;
  private abandon: ((result: ResultFile) => void) | undefined;
  private ended = false;
  private resolveFinished: () => void = () => undefined;
  private readonly queuedAt = performance.now();
  private createdAt = new Date().toISOString();

  constructor(request: JobRequest, ctx: JobContext) {
    this.request = request;
    this.ctx = ctx;
    this.finished = new Promise((resolve) => {
      this.resolveFinished = resolve;
    });
  }

  /** Tells a waiting job its new queue position. */
  moved(position: number): void {
    if (this.ended) return;
    this.ctx.send({
      type: 'progress',
      id: this.request.id,
      state: 'queued',
      samples: 0,
      elapsedMs: performance.now() - this.queuedAt,
      medianMs: null,
      phase: `queued (position ${position})`,
    });
  }

  /** Runs the job (called by its lane); resolves when it has ended. Never rejects. */
  async run(): Promise<void> {
    if (this.ended) return this.finished;
    this.state = 'running';
    this.createdAt = new Date().toISOString();
    const startedAt = performance.now();
    this.ctx.send({
      type: 'progress',
      id: this.request.id,
      state: 'running',
      samples: 0,
      elapsedMs: 0,
      medianMs: null,
      phase: 'starting',
    });
    let handle: JobHandle;
    try {
      handle = this.ctx.backend.start(this.request, this.hooks());
    } catch (err) {
      await this.finish(this.synthesize('failed', describeThrown(err)));
      return;
    }
    this.handle = handle;
    this.timeoutTimer = setTimeout(() => {
      const elapsed = formatMs(Math.round(performance.now() - startedAt));
      this.stop({
        code: 'timeout',
        message: `the job ran for ${elapsed}, past the runner's ${formatMs(this.ctx.timeoutMs)} job timeout, and was stopped`,
      });
    }, this.ctx.timeoutMs);
    const abandoned = new Promise<ResultFile>((resolve) => {
      this.abandon = resolve;
    });
    const result = await Promise.race([
      handle.done.then(
        (r) => this.checkResult(r),
        (err: unknown) => {
          const { code, message } = describeThrown(err);
          return this.synthesize('failed', {
            code,
            message: `the ${this.ctx.backend.id} backend failed: ${message}`,
          });
        },
      ),
      abandoned,
    ]);
    await this.finish(result);
  }

  /**
   * Ends the job for `cause`. A running job is cancelled through its backend, which gets
   * `cancelGraceMs` to hand back its partial result before the runner writes one itself.
   */
  stop(cause: StopCause): void {
    if (this.ended || this.cause !== undefined) return;
    this.cause = cause;
    if (this.handle === undefined) return;
    try {
      this.handle.cancel(cause.message);
    } catch (err) {
      this.ctx.log(`job ${this.request.id}: cancel threw: ${describeThrown(err).message}`);
    }
    this.graceTimer = setTimeout(() => {
      this.ctx.log(
        `job ${this.request.id}: the ${this.ctx.backend.id} backend did not end the job within ${formatMs(this.ctx.cancelGraceMs)} of the cancel; the runner ended it`,
      );
      this.abandon?.(this.synthesize(causeStatus(cause), cause));
    }, this.ctx.cancelGraceMs);
  }

  /** Ends a job that never ran (cancelled while queued, or the runner is shutting down). */
  async endQueued(cause: StopCause): Promise<void> {
    if (this.ended) return;
    this.cause = cause;
    await this.finish(this.synthesize(causeStatus(cause), cause));
  }

  private hooks(): JobHooks {
    return {
      onSamples: (ms, throttled) => {
        if (this.ended) return;
        const flags = throttled?.length === ms.length ? throttled : undefined;
        append(this.observed, ms, flags);
        append(this.pending, ms, flags);
        if (this.pending.ms.length >= MAX_BATCH) this.flush();
        else this.scheduleFlush();
      },
      onCheck: (correctness: Correctness) => {
        if (this.ended) return;
        this.observed.correctness = correctness;
        this.flush();
        this.ctx.send({ type: 'check', id: this.request.id, correctness });
      },
      onMemory: (memory: Memory) => {
        if (this.ended) return;
        this.observed.memory = memory;
        this.flush();
        this.ctx.send({ type: 'memory', id: this.request.id, memory });
      },
      onClock: (clock: ClockReading) => {
        if (this.ended) return;
        this.observed.clocks.push(clock);
        this.flush();
        this.ctx.send({ type: 'clock', id: this.request.id, clock });
      },
      onProgress: (progress: RunProgress) => {
        if (this.ended) return;
        this.progress = progress;
        this.scheduleFlush();
      },
    };
  }

  private scheduleFlush(): void {
    this.flushTimer ??= setTimeout(() => {
      this.flush();
    }, this.ctx.flushMs);
  }

  /** Sends pending samples (in batches of at most MAX_BATCH) and the latest progress. */
  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const { ms, throttled } = this.pending;
    this.pending = { ms: [], throttled: undefined };
    for (let from = 0; from < ms.length; from += MAX_BATCH) {
      const to = Math.min(ms.length, from + MAX_BATCH);
      this.ctx.send({
        type: 'samples',
        id: this.request.id,
        seq: this.seq++,
        ms: ms.slice(from, to),
        ...(throttled ? { throttled: throttled.slice(from, to) } : {}),
      });
    }
    const p = this.progress;
    if (p !== undefined) {
      this.progress = undefined;
      this.ctx.send({
        type: 'progress',
        id: this.request.id,
        state: 'running',
        samples: Math.max(0, Math.floor(p.samples)),
        elapsedMs: Math.max(0, p.elapsedMs),
        medianMs: p.medianMs,
        phase: p.phase,
      });
    }
  }

  /** Validates a backend's result; a broken one becomes a failed result the runner writes. */
  private checkResult(result: ResultFile): ResultFile {
    const parsed = resultSchema.safeParse(result, { reportInput: true });
    if (parsed.success) return parsed.data;
    return this.synthesize('failed', {
      code: 'internal',
      message: `the ${this.ctx.backend.id} backend returned an invalid result file: ${formatIssues(parsed.error).slice(0, 5).join('; ')}`,
    });
  }

  private synthesize(
    status: 'failed' | 'cancelled',
    error: { code: string; message: string },
  ): ResultFile {
    return synthesizeResult({
      request: this.request,
      backendId: this.ctx.backend.id,
      env: this.ctx.env,
      createdAt: this.createdAt,
      observed: this.observed,
      status,
      error,
      derived: null, // filled in by finish(), off the event loop
    });
  }

  /** Writes the result, sends the final message, and releases the lane. Runs once. */
  private async finish(result: ResultFile): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.timeoutTimer);
    clearTimeout(this.graceTimer);
    this.flush();
    let final = finalizeResult(result, this.cause);
    // The runner chose the GPU, so the runner records it.
    if (this.request.device) final = recordDevice(final, this.request.device);
    if (final.derived === null && final.samples.ms.length > 0) {
      const { config } = final;
      try {
        final = {
          ...final,
          derived: await deriveFiguresOffThread(config, final.samples.ms, this.request.seed),
        };
      } catch (err) {
        this.ctx.log(`job ${this.request.id}: no derived figures: ${describeThrown(err).message}`);
      }
    }
    this.state = final.status;
    let saved: Saved;
    try {
      saved = { ok: true, path: await this.ctx.store.write(final, this.request.id) };
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      this.ctx.log(`job ${this.request.id}: could not write its result file: ${why}`);
      saved = { ok: false, error: `the result was NOT saved on the runner: ${clip(why, 500)}` };
    }
    const code = final.status === 'completed' ? undefined : resultErrorCode(final);
    this.ctx.send(finalMessage(this.request.id, final, code, saved));
    this.resolveFinished();
  }
}
