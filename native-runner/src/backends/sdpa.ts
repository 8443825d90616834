/**
 * The `sdpa` backend: PyTorch's scaled_dot_product_attention with one backend forced (flash,
 * cudnn, efficient, math) — the baseline users would otherwise pick. Present when python3 with
 * torch and CUDA is found; otherwise absent with the reason.
 */
import { join } from 'node:path';
import type { BackendInfo, Env, KernelInfo } from '../../../src/model/index.ts';
import type { HarnessCommand } from '../driver.ts';
import { NATIVE_ROOT, probe } from './host.ts';
import { ANY_HEAD_DIM, NativeBackend, readHelloEnv } from './native.ts';

/** The SDPA harness script. */
export const SDPA_SCRIPT = join(NATIVE_ROOT, 'python', 'sdpa_harness.py');

const note = ' (head dims and dtypes as this torch build allows; refusals are reported per run)';

/**
 * The SDPA backends as kernels. All take grouped-query heads (enable_gqa, PyTorch ≥ 2.5) and
 * S ≠ Skv (causal through causal_lower_right); a backend that cannot do a shape is reported
 * unavailable for that run with torch's reason (`kvShape`: issue 14).
 */
export const SDPA_KERNELS: readonly KernelInfo[] = [
  {
    id: 'flash',
    description: `SDPA FLASH_ATTENTION (FlashAttention-2 in PyTorch)${note}`,
    dtypes: ['f16', 'bf16'],
    headDims: ANY_HEAD_DIM as number[],
    causal: true,
    kvShape: true,
    available: true,
  },
  {
    id: 'cudnn',
    description: `SDPA CUDNN_ATTENTION (cuDNN fused attention)${note}`,
    dtypes: ['f16', 'bf16'],
    headDims: ANY_HEAD_DIM as number[],
    causal: true,
    kvShape: true,
    available: true,
  },
  {
    id: 'efficient',
    description: `SDPA EFFICIENT_ATTENTION (memory-efficient, xFormers-derived)${note}`,
    dtypes: ['f32', 'f16', 'bf16'],
    headDims: ANY_HEAD_DIM as number[],
    causal: true,
    kvShape: true,
    available: true,
  },
  {
    id: 'math',
    description: `SDPA MATH (the unfused PyTorch composition; stores S×S scores)${note}`,
    dtypes: ['f32', 'f16', 'bf16'],
    headDims: ANY_HEAD_DIM as number[],
    causal: true,
    kvShape: true,
    available: true,
  },
];

/** The Python interpreter: $ATTNLAB_PYTHON or python3. */
export function pythonCommand(): string {
  return process.env.ATTNLAB_PYTHON ?? 'python3';
}

const PROBE = [
  'import json',
  'try:',
  '    import torch',
  '    from torch.nn.attention import sdpa_kernel',
  'except Exception as e:',
  '    print(json.dumps({"torch": None, "error": f"{type(e).__name__}: {e}"}))',
  '    raise SystemExit(0)',
  'ok = torch.cuda.is_available()',
  'print(json.dumps({"torch": torch.__version__, "cuda": ok,',
  '                  "device": torch.cuda.get_device_name(0) if ok else None}))',
].join('\n');

/** What the probe script printed. */
interface ProbeReport {
  torch: string | null;
  error?: string;
  cuda?: boolean;
  device?: string | null;
}

/** The `sdpa` backend. */
export class SdpaBackend extends NativeBackend {
  readonly id = 'sdpa';
  override readonly userKernelLanguages = ['python'] as const;
  protected readonly kernels = SDPA_KERNELS;
  protected readonly timingMethod = 'cuda-event' as const;
  protected readonly memoryModel = 'sdpa' as const;
  protected override readonly scoreKernels = ['math'];

  protected async probe(): Promise<BackendInfo> {
    const python = pythonCommand();
    const out = await probe(python, ['-c', PROBE], 90_000);
    if (!out.ok) return this.absent(`${out.reason} (set ATTNLAB_PYTHON to a Python with torch)`);
    let report: ProbeReport;
    try {
      report = JSON.parse(out.stdout.trim().split('\n').pop() ?? '') as ProbeReport;
    } catch {
      return this.absent(
        `the torch probe printed something unexpected: ${out.stdout.slice(0, 200)}`,
      );
    }
    if (report.torch === null) {
      return this.absent(
        `PyTorch is not installed for ${python} (${report.error ?? 'import failed'})`,
      );
    }
    if (report.cuda !== true) {
      return this.absent(
        `torch ${report.torch} found but CUDA is not available (no GPU, or a CPU-only build)`,
      );
    }
    return {
      id: this.id,
      available: true,
      reason: `torch ${report.torch}`,
      device: report.device ?? 'CUDA GPU',
      kernels: [...this.kernels],
    };
  }

  protected harness(): Promise<HarnessCommand> {
    return Promise.resolve({ command: pythonCommand(), args: [SDPA_SCRIPT] });
  }

  protected async describe(): Promise<Env | null> {
    const info = await this.discover();
    if (!info.available) return null;
    return readHelloEnv(pythonCommand(), [SDPA_SCRIPT]);
  }
}
