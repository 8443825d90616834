/**
 * How a job's end becomes a result file and a protocol message. Backends normally hand back the
 * result; when the runner has to end a job itself (timeout, vanished client, a backend that
 * ignores cancel, throws or breaks its contract), it writes the result from what it saw.
 */
import { RESULT_SCHEMA, deriveFigures, estimateMemory } from '../../../src/model/index.ts';
import type {
  ClockReading,
  Correctness,
  Derived,
  Env,
  ErrorCode,
  Memory,
  MemoryModelBackend,
  ResultFile,
  Timing,
} from '../../../src/model/index.ts';
import { toolInfo } from '../../../src/node/host.ts';
import { isErrorCode } from '../backend.ts';
import type { JobRequest } from '../backend.ts';

/** Why the runner (not the backend) ended a job. */
export interface StopCause {
  /** `cancelled`: the client asked (or the runner shut down); `client-gone`; `timeout`. */
  code: 'cancelled' | 'client-gone' | 'timeout';
  /** Plain-language reason, stored in the result's `error.message`. */
  message: string;
}

/** What the runner saw of a job while forwarding its events. */
export interface Observed {
  /** Every sample forwarded so far, ms. */
  ms: number[];
  /** Per-sample throttle flags, when the backend gave any. */
  throttled: boolean[] | undefined;
  /** Clock readings forwarded so far. */
  clocks: ClockReading[];
  /** Last memory report. */
  memory: Memory | undefined;
  /** Last correctness report. */
  correctness: Correctness | undefined;
}

/** A fresh, empty record of a job's events. */
export function emptyObserved(): Observed {
  return { ms: [], throttled: undefined, clocks: [], memory: undefined, correctness: undefined };
}

const MEMORY_MODELS: readonly string[] = ['webgpu', 'dawn', 'cuda', 'sdpa', 'cpu'];
const TIMING_BY_BACKEND: Record<string, Timing['method']> = {
  cuda: 'cuda-event',
  sdpa: 'cuda-event',
  dawn: 'timestamp-query',
  webgpu: 'timestamp-query',
};

/** What a runner-written result needs besides the observed events. */
export interface SynthesisInput {
  /** The job's request. */
  request: JobRequest;
  /** Backend that ran (or was to run) the job. */
  backendId: string;
  /** Environment fingerprint to store. */
  env: Env;
  /** ISO time the job was accepted or started. */
  createdAt: string;
  /** What the runner saw of the job. */
  observed: Observed;
  /** How the job ended. */
  status: 'failed' | 'cancelled';
  /** Why it ended. */
  error: { code: string; message: string };
  /**
   * The derived figures when already known; `null` leaves them for the caller to fill in off
   * the event loop (see derive-offthread.ts); absent: computed here.
   */
  derived?: Derived | null;
}

/** Builds the result of a job the runner had to end itself, keeping the samples seen (partial). */
export function synthesizeResult(input: SynthesisInput): ResultFile {
  const { request, backendId, observed } = input;
  const model = (MEMORY_MODELS.includes(backendId) ? backendId : 'cpu') as MemoryModelBackend;
  const memory: Memory = observed.memory ?? {
    estimateBytes: estimateMemory(request.config, model).totalBytes,
    peakBytes: null,
    deviceTotalBytes: null,
    usageFraction: null,
    oomRisk: false,
  };
  return {
    schema: RESULT_SCHEMA,
    id: request.id,
    createdAt: input.createdAt,
    tool: { ...toolInfo() },
    config: request.config,
    target: { backend: backendId, kernel: request.kernel, kernelParams: {} },
    env: input.env,
    timing: {
      method: TIMING_BY_BACKEND[backendId] ?? 'cpu-clock',
      quantumMs: null,
      dispatchesPerSample: 1,
      warmup: request.warmup ?? 0,
      cache: request.cache,
      stopRule: request.stop,
      notes: [
        'written by the runner: the backend did not report its timing details before the job ended',
      ],
    },
    samples: {
      ms: [...observed.ms],
      ...(observed.throttled ? { throttled: [...observed.throttled] } : {}),
      partial: true,
    },
    clocks: [...observed.clocks],
    memory,
    correctness: observed.correctness ?? null,
    derived:
      input.derived !== undefined
        ? input.derived
        : deriveFigures(request.config, observed.ms, { seed: request.seed }),
    status: input.status,
    error: input.error,
  };
}

/** The status a job ended by the runner gets: a timeout is a failure, anything else a cancel. */
export function causeStatus(cause: StopCause): 'failed' | 'cancelled' {
  return cause.code === 'timeout' ? 'failed' : 'cancelled';
}

/**
 * Applies the runner's stop cause to a backend's result. A completed result stays completed (it
 * finished before the cancel took effect); otherwise the cause decides the status — a timeout is
 * a failure, a cancel or a vanished client a cancellation — and the samples are marked partial.
 */
export function finalizeResult(result: ResultFile, cause: StopCause | undefined): ResultFile {
  if (result.status === 'completed') return result;
  const status = cause ? causeStatus(cause) : result.status;
  const error = cause
    ? { code: cause.code, message: cause.message }
    : (result.error ?? {
        code: status === 'cancelled' ? 'cancelled' : 'harness-error',
        message: `the ${result.target.backend} backend ended the run as ${status} without saying why`,
      });
  return { ...result, status, error, samples: { ...result.samples, partial: true } };
}

/** The protocol error code for a result that did not complete. */
export function resultErrorCode(result: ResultFile): ErrorCode {
  const code = result.error?.code;
  if (isErrorCode(code)) return code;
  return result.status === 'cancelled' ? 'cancelled' : 'harness-error';
}

/**
 * Code and message of something a backend threw. Backends throw errors carrying a protocol
 * `code` (e.g. `too-large-for-device`) for requests they refuse; anything else is `internal`.
 */
export function describeThrown(err: unknown): { code: ErrorCode; message: string } {
  const message = err instanceof Error ? err.message : String(err);
  const code =
    typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return { code: isErrorCode(code) ? code : 'internal', message };
}
