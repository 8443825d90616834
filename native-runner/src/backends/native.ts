/**
 * What the CUDA, CPU and SDPA backends share: request validation against the kernel list,
 * memoised discovery, reading a harness's `--info` hello line, and starting jobs through the
 * driver.
 */
import { kvShapeRefusal, parseHarnessLine } from '../../../src/model/index.ts';
import type {
  BackendInfo,
  Env,
  KernelInfo,
  MemoryModelBackend,
  Timing,
} from '../../../src/model/index.ts';
import { RunnerError } from '../backend.ts';
import type { Backend, JobHandle, JobHooks, JobRequest } from '../backend.ts';
import { runHarness } from '../driver.ts';
import type { HarnessCommand } from '../driver.ts';
import { hostEnv } from '../../../src/node/host.ts';
import { mergeHostEnv, probe } from './host.ts';
import { pinningEnv } from '../devices.ts';

/** A job request with the files a direct run passes to the harness. */
export interface NativeJobRequest extends JobRequest {
  /** Raw f32 file of q, k, v back to back ([B,H,S,D] each) instead of seeded inputs. */
  inputsPath?: string | undefined;
  /** Where the harness writes the kernel's output O as raw f32. */
  outputPath?: string | undefined;
}

/** Every multiple of 8 in 8..256: kernels that take any head dim the config allows. */
export const ANY_HEAD_DIM: readonly number[] = Array.from({ length: 32 }, (_, i) => (i + 1) * 8);

/** Reads the `hello` line a harness prints with `--info`; null when it printed none. */
export async function readHelloEnv(command: string, args: readonly string[]): Promise<Env | null> {
  const out = await probe(command, [...args, '--info'], 60_000);
  for (const text of out.stdout.split('\n')) {
    if (text.trim() === '') continue;
    const parsed = parseHarnessLine(text);
    if (parsed.ok && parsed.line.type === 'hello') return mergeHostEnv(parsed.line.env);
  }
  return null;
}

/** Throws `unsupported`, with discovery's reason, when a backend cannot run here. */
export function requireAvailable(info: BackendInfo): void {
  if (!info.available) {
    throw new RunnerError(
      'unsupported',
      `the ${info.id} backend is not available here: ${info.reason ?? 'unknown reason'}`,
    );
  }
}

/** A backend whose jobs run a native harness process. */
export abstract class NativeBackend implements Backend {
  /** Backend id: `cuda`, `sdpa` or `cpu`. */
  abstract readonly id: string;
  /** Kernels this backend's harness offers. */
  protected abstract readonly kernels: readonly KernelInfo[];
  /** Label of the timing method for runs that end before the harness reports it. */
  protected abstract readonly timingMethod: Timing['method'];
  /** Memory model for the fallback estimate. */
  protected abstract readonly memoryModel: MemoryModelBackend;
  private discovered: Promise<BackendInfo> | null = null;

  /** Finds out (once) whether this backend can run here, and why not. */
  discover(): Promise<BackendInfo> {
    this.discovered ??= this.probe();
    return this.discovered;
  }

  /** The environment fingerprint; host only when the harness cannot describe its device. */
  async env(): Promise<Env> {
    try {
      return (await this.describe()) ?? { host: hostEnv() };
    } catch {
      return { host: hostEnv() };
    }
  }

  /** Validates the request synchronously, then runs the harness (compiling it first if needed). */
  start(request: NativeJobRequest, hooks: JobHooks): JobHandle {
    const kernel = this.validate(request);
    return runHarness(
      {
        backend: this.id,
        request,
        resolve: async () => {
          requireAvailable(await this.discover());
          return this.harness();
        },
        inputsPath: request.inputsPath,
        outputPath: request.outputPath,
        timingMethod: this.timingMethod,
        memoryModel: this.memoryModel,
        materializesScores: this.scoreKernels.includes(kernel.id),
        env: request.device ? pinningEnv(request.device) : undefined,
      },
      hooks,
    );
  }

  /** Checks kernel, dtype, head dim and masking against the kernel list; throws RunnerError. */
  validate(request: JobRequest): KernelInfo {
    const kernel = this.kernels.find((k) => k.id === request.kernel);
    if (!kernel) {
      const ids = this.kernels.map((k) => k.id).join(', ');
      throw new RunnerError(
        'unknown-kernel',
        `kernel: "${request.kernel}" is not a ${this.id} kernel (choose ${ids})`,
      );
    }
    const { dtype, headDim, causal } = request.config;
    if (!kernel.dtypes.includes(dtype)) {
      throw new RunnerError(
        'unsupported',
        `config.dtype: ${this.id}/${kernel.id} supports ${kernel.dtypes.join(', ')} (got ${dtype})`,
      );
    }
    if (!kernel.headDims.includes(headDim)) {
      const dims =
        kernel.headDims === ANY_HEAD_DIM ? 'multiples of 8 in 8..256' : kernel.headDims.join(', ');
      throw new RunnerError(
        'unsupported',
        `config.headDim: ${this.id}/${kernel.id} supports ${dims} (got ${headDim})`,
      );
    }
    if (causal && !kernel.causal) {
      throw new RunnerError(
        'unsupported',
        `config.causal: ${this.id}/${kernel.id} has no causal masking`,
      );
    }
    const kvReason = kvShapeRefusal(`${this.id}/${kernel.id}`, kernel, request.config);
    if (kvReason !== null) throw new RunnerError('unsupported', kvReason);
    return kernel;
  }

  /** What discovery reports when this backend cannot run here: every kernel unavailable too. */
  protected absent(reason: string, device?: string, kernelReason = reason): BackendInfo {
    return {
      id: this.id,
      available: false,
      reason,
      ...(device ? { device } : {}),
      kernels: this.kernels.map((k) => ({ ...k, available: false, reason: kernelReason })),
    };
  }

  /** Presence check (no compiling). */
  protected abstract probe(): Promise<BackendInfo>;
  /** The harness to run, compiled when needed. */
  protected abstract harness(): Promise<HarnessCommand>;
  /** The harness's own fingerprint (`--info`), or null. */
  protected abstract describe(): Promise<Env | null>;
  /** Kernels that store the S×S scores (for the memory estimate). */
  protected readonly scoreKernels: readonly string[] = [];
}
