/**
 * The `cuda` backend: our CUDA kernels (naive-f32 reference, flash-v1 on tensor cores) run by
 * the CUDA harness, compiled with nvcc on first use for the local GPU's architecture (or all
 * of sm_80/89/90 by `npm run build:native`). Present when an NVIDIA GPU (compute capability
 * ≥ 8.0) and nvcc or a built harness are found; otherwise absent with the reason.
 */
import { kernelInfoSchema } from '../../../src/model/index.ts';
import type { BackendInfo, Env, KernelInfo } from '../../../src/model/index.ts';
import { RunnerError } from '../backend.ts';
import type { JobRequest } from '../backend.ts';
import { BuildError, ensureBuilt, findNvcc, isFresh, planBuild, runBuild } from '../build.ts';
import { planUserCudaBuild } from '../user-cuda-build.ts';
import type { BuildPlan } from '../build.ts';
import type { HarnessCommand } from '../driver.ts';
import { hostEnv } from '../../../src/node/host.ts';
import { probe } from './host.ts';
import { ANY_HEAD_DIM, NativeBackend, readHelloEnv } from './native.ts';

/**
 * The kernels known before the harness is built. Once built, the harness's own list (`--list`:
 * every flash_*.cu that registered itself, with `kvShape` from its kv_support) replaces it.
 * `kvShape`: the kernel takes grouped-query heads and S ≠ Skv (issue 14).
 */
export const CUDA_KERNELS: readonly KernelInfo[] = [
  {
    id: 'flash-v1',
    description:
      'FlashAttention-2 style: Q in registers, K/V tiles in shared memory, online softmax, mma.sync tensor cores',
    dtypes: ['f16', 'bf16'],
    headDims: [32, 64, 128],
    causal: true,
    kvShape: true,
    available: true,
  },
  {
    id: 'flash-decode',
    description:
      'Split-KV decode (flash-decoding), GQA-aware: one CTA reads a KV head once for all its query heads',
    dtypes: ['f16', 'bf16'],
    headDims: [32, 64, 128],
    causal: true,
    kvShape: true,
    available: true,
  },
  {
    id: 'naive-f32',
    description: 'Reference: one warp per query row, two passes over K, fp32, no tiling',
    dtypes: ['f32'],
    headDims: ANY_HEAD_DIM as number[],
    causal: true,
    kvShape: true,
    available: true,
  },
];

/** What nvidia-smi says about the first GPU. */
export interface SmiGpu {
  /** Marketing name, e.g. `NVIDIA H100 80GB HBM3`. */
  name: string;
  /** Compute capability, e.g. `9.0`. */
  computeCapability: string;
  /** Device memory, MiB. */
  memoryMiB: number;
  /** Driver version. */
  driver: string;
}

/** Parses `nvidia-smi --query-gpu=name,compute_cap,memory.total,driver_version` CSV output. */
export function parseSmi(stdout: string): SmiGpu | null {
  const first = stdout.split('\n').find((l) => l.trim() !== '');
  if (!first) return null;
  const [name, cc, mem, driver] = first.split(',').map((s) => s.trim());
  if (!name || !cc || !/^\d+\.\d+$/.test(cc)) return null;
  return { name, computeCapability: cc, memoryMiB: Number(mem ?? 0) || 0, driver: driver ?? '' };
}

/** Parses `attnlab-cuda --list` (one kernel as JSON per line); null when it is not that. */
export function parseKernelList(stdout: string): KernelInfo[] | null {
  const kernels: KernelInfo[] = [];
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const parsed = kernelInfoSchema.safeParse(JSON.parse(line));
      if (!parsed.success) return null;
      kernels.push(parsed.data);
    } catch {
      return null;
    }
  }
  return kernels.length > 0 ? kernels : null;
}

/** `9.0` → `90`, `12.0` → `120`. */
export function archOf(computeCapability: string): string {
  return computeCapability.replace('.', '');
}

/** The `cuda` backend. */
export class CudaBackend extends NativeBackend {
  readonly id = 'cuda';
  protected readonly timingMethod = 'cuda-event' as const;
  override readonly userKernelLanguages = ['cuda'] as const;
  protected readonly memoryModel = 'cuda' as const;
  private gpu: SmiGpu | null = null;
  private listed: KernelInfo[] | null = null;

  /** The built harness's kernels, or the ones known before it is built. */
  protected get kernels(): readonly KernelInfo[] {
    return this.listed ?? CUDA_KERNELS;
  }

  /**
   * Before the harness is built, a kernel id this file does not know may still be a flash_*.cu
   * version that registers itself: it goes to the harness, which refuses it if it is unknown.
   */
  override validate(request: JobRequest): KernelInfo {
    if (this.listed === null && !CUDA_KERNELS.some((k) => k.id === request.kernel)) {
      return {
        id: request.kernel,
        description: 'a kernel of the CUDA harness (not yet built)',
        dtypes: [request.config.dtype],
        headDims: [request.config.headDim],
        causal: true,
        available: true,
      };
    }
    return super.validate(request);
  }

  /** An up-to-date harness for this GPU: the `build:native` one, else one built for its arch. */
  private freshBuild(gpu: SmiGpu): BuildPlan | undefined {
    const arch = archOf(gpu.computeCapability);
    return [planBuild('cuda'), planBuild('cuda', { archs: [arch] })].find(isFresh);
  }

  /** Reads the kernel list of a built harness. */
  private async readList(harness: string): Promise<void> {
    const out = await probe(harness, ['--list']);
    this.listed = (out.ok ? parseKernelList(out.stdout) : null) ?? this.listed;
  }

  protected async probe(): Promise<BackendInfo> {
    const smi = await probe('nvidia-smi', [
      '--query-gpu=name,compute_cap,memory.total,driver_version',
      '--format=csv,noheader,nounits',
    ]);
    const gpu = smi.ok ? parseSmi(smi.stdout) : null;
    if (!gpu) {
      return this.absent(
        `no NVIDIA GPU found (${smi.ok ? 'nvidia-smi listed no GPU' : smi.reason})`,
      );
    }
    this.gpu = gpu;
    const device = `${gpu.name} (cc ${gpu.computeCapability}, ${gpu.memoryMiB} MiB)`;
    if (Number(gpu.computeCapability) < 8) {
      return this.absent(
        `${gpu.name} is compute capability ${gpu.computeCapability}; the kernels need 8.0+`,
        device,
      );
    }
    const built = this.freshBuild(gpu);
    if (built) await this.readList(built.output);
    const nvcc = findNvcc();
    if (!built && !nvcc) {
      return this.absent(
        'nvcc not found (PATH, $CUDA_HOME/bin, /usr/local/cuda/bin) and no CUDA harness has been built',
        device,
      );
    }
    return {
      id: this.id,
      available: true,
      reason: built ? 'CUDA harness built' : `compiled with ${nvcc ?? 'nvcc'} on first use`,
      device,
      kernels: [...this.kernels],
    };
  }

  protected async harness(): Promise<HarnessCommand> {
    const arch = this.gpu ? archOf(this.gpu.computeCapability) : undefined;
    try {
      const harness = await ensureBuilt('cuda', arch ? { archs: [arch] } : {});
      if (this.listed === null) await this.readList(harness);
      return { command: harness, args: [] };
    } catch (err) {
      if (err instanceof BuildError && err.message.startsWith('nvcc not found')) {
        throw new RunnerError('unsupported', err.message);
      }
      throw err;
    }
  }

  /** Builds (or finds cached, by source hash) the harness around a user's .cu for this GPU. */
  protected override async userHarness(path: string, request: JobRequest): Promise<HarnessCommand> {
    if (!this.gpu)
      throw new RunnerError('unsupported', 'no NVIDIA GPU to build the user kernel for');
    const plan = planUserCudaBuild(path, request.kernel, archOf(this.gpu.computeCapability));
    if (isFresh(plan)) return { command: plan.output, args: [] };
    try {
      return { command: await runBuild(plan), args: [] };
    } catch (err) {
      if (err instanceof BuildError) throw new RunnerError('compile-error', err.message);
      throw err;
    }
  }

  protected async describe(): Promise<Env | null> {
    const info = await this.discover();
    if (!info.available || !this.gpu) return null;
    const built = this.freshBuild(this.gpu);
    if (built) return readHelloEnv(built.output, []);
    // Not built yet: what nvidia-smi knows (building here would stall the caller for minutes).
    return {
      host: hostEnv(),
      gpu: {
        name: this.gpu.name,
        driver: this.gpu.driver,
        computeCapability: this.gpu.computeCapability,
        memoryBytes: this.gpu.memoryMiB * 1024 * 1024,
      },
    };
  }
}
