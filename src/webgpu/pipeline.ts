/**
 * Compiling a kernel plan into pipelines: compose the WGSL (baked preamble + .wgsl files),
 * surface compiler messages with line numbers, and build one pipeline per entry point on an
 * explicit bind-group layout shared by every entry.
 */
import { composeShader } from '../../shaders/index.ts';
import type { ShaderSources } from '../../shaders/index.ts';
import { withErrorScopes } from './device.ts';
import { EngineError } from './errors.ts';
import type { KernelPlan } from './tiles.ts';

/** A kernel ready to launch on one device. */
export interface CompiledKernel {
  /** The plan it was compiled from. */
  plan: KernelPlan;
  /** One pipeline per entry point, in launch order. */
  pipelines: GPUComputePipeline[];
  /** Bind-group layout: 0 params, 1–3 Q/K/V, 4 O, 5 scratch (scores or split-KV partials). */
  layout: GPUBindGroupLayout;
  /** The composed WGSL (for error reports and the teaching view). */
  code: string;
}

/** Cache key of a plan: kernel, head dim and every baked constant. */
export function planKey(plan: KernelPlan): string {
  return `${plan.kernel.id}|${plan.files.join('+')}|${JSON.stringify(plan.consts)}`;
}

/** True when a kernel binds a scratch buffer at binding 5 (scores or split-KV partials). */
export function usesScratch(plan: KernelPlan): boolean {
  return plan.kernel.materializesScores || plan.kernel.scheme === 'split-kv';
}

function bindGroupLayout(device: GPUDevice, plan: KernelPlan): GPUBindGroupLayout {
  const entries: GPUBindGroupLayoutEntry[] = [
    { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } },
    { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage' } },
    { binding: 2, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage' } },
    { binding: 3, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage' } },
    { binding: 4, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } },
  ];
  if (usesScratch(plan)) {
    entries.push({ binding: 5, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } });
  }
  return device.createBindGroupLayout({ label: `${plan.kernel.id} layout`, entries });
}

/** Compiles a plan; WGSL errors become an EngineError quoting the compiler's messages. */
export async function compileKernel(
  device: GPUDevice,
  sources: ShaderSources,
  plan: KernelPlan,
): Promise<CompiledKernel> {
  const code = composeShader(sources, plan.files, plan.consts);
  const label = `${plan.kernel.id} D=${plan.headDim}`;
  return withErrorScopes(device, `compiling ${label}`, async () => {
    const module = device.createShaderModule({ label, code });
    const info = await module.getCompilationInfo();
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length > 0) {
      const lines = code.split('\n');
      const text = errors
        .slice(0, 5)
        .map(
          (m) =>
            `line ${m.lineNum}:${m.linePos}: ${m.message} | ${(lines[m.lineNum - 1] ?? '').trim()}`,
        )
        .join('; ');
      throw new EngineError('internal', `WGSL of ${label} does not compile: ${text}`);
    }
    const layout = bindGroupLayout(device, plan);
    const pipelineLayout = device.createPipelineLayout({ bindGroupLayouts: [layout] });
    const pipelines = await Promise.all(
      plan.kernel.entries.map(async (entryPoint) => {
        try {
          return await device.createComputePipelineAsync({
            label: `${label} ${entryPoint}`,
            layout: pipelineLayout,
            compute: { module, entryPoint },
          });
        } catch (err) {
          throw new EngineError(
            'internal',
            `pipeline ${label} ${entryPoint}: ${(err as Error).message}`,
          );
        }
      }),
    );
    return { plan, pipelines, layout, code };
  });
}
