/**
 * The `cpu` backend: C++ attention (g++ -O3 -march=native, OpenMP on every core), f32. It is the
 * embedded default when there is no GPU, so the lab works on any machine with a C++ compiler.
 * Timing is the labelled `cpu-clock` fallback.
 */
import { cpus } from 'node:os';
import type { BackendInfo, Env, KernelInfo } from '../../../src/model/index.ts';
import { RunnerError } from '../backend.ts';
import { BuildError, ensureBuilt, findGxx, isFresh, planBuild } from '../build.ts';
import type { HarnessCommand } from '../driver.ts';
import { ANY_HEAD_DIM, NativeBackend, readHelloEnv } from './native.ts';

/** The CPU harness's kernels. */
export const CPU_KERNELS: readonly KernelInfo[] = [
  {
    id: 'cpu-flash-f32',
    description: 'Tiled CPU attention: 32 query rows × 64-key tiles, online softmax, OpenMP, f32',
    dtypes: ['f32'],
    headDims: ANY_HEAD_DIM as number[],
    causal: true,
    kvShape: true,
    available: true,
  },
  {
    id: 'cpu-naive-f32',
    description: 'Row-at-a-time CPU attention: full score row, softmax, then P·V; OpenMP, f32',
    dtypes: ['f32'],
    headDims: ANY_HEAD_DIM as number[],
    causal: true,
    kvShape: true,
    available: true,
  },
];

/** Compiles on first use (or when a source changed), then reuses the binary. */
export async function cpuHarness(): Promise<HarnessCommand> {
  try {
    return { command: await ensureBuilt('cpu'), args: [] };
  } catch (err) {
    if (err instanceof BuildError && err.message.startsWith('no C++ compiler')) {
      throw new RunnerError('unsupported', err.message);
    }
    throw err;
  }
}

/** The `cpu` backend. */
export class CpuBackend extends NativeBackend {
  readonly id = 'cpu';
  protected readonly kernels = CPU_KERNELS;
  protected readonly timingMethod = 'cpu-clock' as const;
  protected readonly memoryModel = 'cpu' as const;

  protected probe(): Promise<BackendInfo> {
    const threads = cpus().length;
    const device = `${cpus()[0]?.model.trim() ?? 'CPU'} (${threads} threads)`;
    const built = isFresh(planBuild('cpu'));
    const gxx = findGxx();
    if (!built && !gxx) {
      return Promise.resolve(
        this.absent(
          'no C++ compiler: g++ is not on PATH (set CXX) and no CPU harness has been built',
          device,
          'no C++ compiler',
        ),
      );
    }
    return Promise.resolve({
      id: this.id,
      available: true,
      reason: built ? 'CPU harness built' : `compiled with ${gxx ?? 'g++'} on first use`,
      device,
      kernels: [...this.kernels],
    });
  }

  protected harness(): Promise<HarnessCommand> {
    return cpuHarness();
  }

  protected async describe(): Promise<Env | null> {
    const h = await this.harness();
    return readHelloEnv(h.command, h.args);
  }
}
