/**
 * The seam between the runner's server and its backends. A backend discovers itself (present
 * or not, with the reason), lists kernels, and starts jobs that stream events. The server only
 * queues jobs and forwards events; it never knows how a backend measures.
 */
import { ERROR_CODES } from '../../src/model/index.ts';
import type {
  BackendInfo,
  ClockReading,
  Correctness,
  DeviceInfo,
  Env,
  ErrorCode,
  Memory,
  ResultFile,
  RunProgress,
  RunSpec,
  UserKernelLanguage,
} from '../../src/model/index.ts';

/** What a job needs (a validated `run` request, minus the protocol envelope). */
export interface JobRequest extends RunSpec {
  /** Run id chosen by the client (unique per connection). */
  id: string;
  /** Kill the job when no harness line arrives for this long (ms). */
  idleTimeoutMs?: number | undefined;
  /** The GPU the runner put this job on; a backend pins its harness to it (see devices.ts). */
  device?: DeviceInfo | undefined;
}

/** Events a job emits while it runs; the server forwards each as a protocol message. */
export interface JobHooks {
  /** A batch of new samples (ms, one launch each) and their throttle flags. */
  onSamples(ms: number[], throttled: boolean[] | undefined): void;
  onCheck(correctness: Correctness): void;
  onMemory(memory: Memory): void;
  onClock(clock: ClockReading): void;
  onProgress(progress: RunProgress): void;
}

/** A running job. `done` resolves with the final result file (completed, failed or cancelled). */
export interface JobHandle {
  /** Stops the job; `done` then resolves with status `cancelled` and the samples so far. */
  cancel(reason?: string): void;
  done: Promise<ResultFile>;
}

/** A backend of the native runner. */
export interface Backend {
  /** Id used in protocol messages: `cuda`, `sdpa`, `cpu`, `dawn`. */
  readonly id: string;
  /** Finds out whether the backend can run here (and why not), and which kernels it has. */
  discover(): Promise<BackendInfo>;
  /** Environment fingerprint of this backend's device. */
  env(): Promise<Env>;
  /** Languages of user kernels it runs (absent: none); the runner admits only these. */
  readonly userKernelLanguages?: readonly UserKernelLanguage[];
  /**
   * Why this GPU backend cannot be pinned to one GPU of a many-GPU host (absent: it can). Such a
   * backend runs only on the lane of the host's first GPU, so it never overlaps another job there.
   */
  readonly unpinnable?: string;
  /** Starts a job. Throws a RunnerError with a protocol error code for requests it refuses. */
  start(request: JobRequest, hooks: JobHooks): JobHandle;
}

/** A refusal or failure carrying a protocol error code; the server sends it as an `error`. */
export class RunnerError extends Error {
  /** Protocol error code, e.g. `unknown-kernel`, `unsupported`, `too-large-for-device`. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'RunnerError';
    this.code = code;
  }
}

/** True when `code` is one of the protocol's error codes. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code);
}
