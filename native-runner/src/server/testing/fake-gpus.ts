/**
 * A fake multi-GPU host for the runner's tests: GPUs as nvidia-smi would list them, and a GPU
 * backend built on the real `NativeBackend` (so the real pinning code runs) whose harness is a
 * small Node script. The script reports the CUDA_VISIBLE_DEVICES it was given, its start and
 * end times, and fails on request on one GPU, so a test can check lanes, pinning and failures.
 */
import { HARNESS_SCHEMA } from '../../../../src/model/index.ts';
import type { BackendInfo, DeviceInfo, Env, KernelInfo } from '../../../../src/model/index.ts';
import { NativeBackend } from '../../backends/native.ts';
import type { HarnessCommand } from '../../driver.ts';

/** `n` GPUs with distinct, fixed UUIDs and bus ids. */
export function fakeGpus(n: number): DeviceInfo[] {
  return Array.from({ length: n }, (_, i) => ({
    index: i,
    uuid: `GPU-0000000${i}-1111-2222-3333-44444444444${i}`,
    name: 'Fake H100 80GB',
    memoryBytes: 80 * 2 ** 30,
    pciBusId: `00000000:${(0x19 + i).toString(16).padStart(2, '0')}:00.0`,
  }));
}

/**
 * The harness: `--iterations` samples, one every 20 ms (so runs take time and can overlap);
 * kernel `fail-on-1` fails on GPU index 1. hello's env.software carries the pinning it saw;
 * the done line's notes carry its start and end times (ms since the epoch).
 */
const GPU_SCRIPT = `
const argv = process.argv;
const flag = (name) => argv[argv.indexOf(name) + 1];
const n = Number(flag('--iterations'));
const kernel = flag('--kernel');
const t0 = Date.now();
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
out({ type: 'hello', schema: '${HARNESS_SCHEMA}', backend: 'fakegpu', env: { software: {
  cudaVisibleDevices: process.env.CUDA_VISIBLE_DEVICES ?? 'unset',
  gpuIndex: process.env.ATTNLAB_GPU_INDEX ?? 'unset',
} } });
if (kernel === 'fail-on-1' && process.env.ATTNLAB_GPU_INDEX === '1') {
  out({ type: 'error', code: 'harness-error', message: 'injected failure on GPU 1' });
  process.exit(1);
}
let i = 0;
const timer = setInterval(() => {
  out({ type: 'samples', ms: [1 + (i % 7) / 100] });
  if (++i < n) return;
  clearInterval(timer);
  out({ type: 'done', timing: { method: 'cuda-event', quantumMs: null, dispatchesPerSample: 1,
    warmup: 0, cache: 'cold', stopRule: { kind: 'count', iterations: n },
    notes: ['span ' + t0 + ' ' + Date.now()] } });
}, 20);
`;

function kernel(id: string): KernelInfo {
  return {
    id,
    description: `fake GPU kernel (${id})`,
    dtypes: ['f32', 'f16'],
    headDims: [32, 64, 128],
    causal: true,
    available: true,
  };
}

/** A GPU backend (id `fakegpu`) running the script above through the real driver. */
export class FakeGpuBackend extends NativeBackend {
  readonly id: string = 'fakegpu';
  protected readonly kernels = [kernel('steady'), kernel('fail-on-1')];
  protected readonly timingMethod = 'cuda-event' as const;
  protected readonly memoryModel = 'cuda' as const;

  protected probe(): Promise<BackendInfo> {
    return Promise.resolve({
      id: this.id,
      available: true,
      device: 'Fake H100 80GB',
      kernels: [...this.kernels],
    });
  }

  protected harness(): Promise<HarnessCommand> {
    // `--` ends node's own options: the driver's harness flags follow.
    return Promise.resolve({ command: process.execPath, args: ['-e', GPU_SCRIPT, '--'] });
  }

  protected describe(): Promise<Env | null> {
    return Promise.resolve({ software: { fake: '1' } });
  }
}

/** A GPU backend that cannot be pinned to one GPU, as Dawn: it runs on the first GPU's lane. */
export class FakeUnpinnedGpuBackend extends FakeGpuBackend {
  override readonly id: string = 'fakedawn';
  readonly unpinnable = 'it picks its adapter itself';
}

/** Start and end (ms since the epoch) a fake GPU harness reported in its timing notes. */
export function spanOf(notes: readonly string[]): [number, number] {
  const note = notes.find((n) => n.startsWith('span '));
  const [, a, b] = (note ?? 'span 0 0').split(' ');
  return [Number(a), Number(b)];
}
