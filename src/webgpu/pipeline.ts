/**
 * Compiling a kernel plan into pipelines: compose the WGSL (baked preamble + .wgsl files),
 * surface compiler messages with line numbers, and build one pipeline per entry point on an
 * explicit bind-group layout shared by every entry.
 */
import { composeShaderMapped } from '../../shaders/index.ts';
import type { ComposedShader, ShaderSources } from '../../shaders/index.ts';
import { USER_FILE_PREFIX } from '../../shaders/user.ts';
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

/** One compiler message, placed in the file it concerns (1-based line and column). */
export interface CompileMessage {
  /** `error`, `warning` or `info`, as getCompilationInfo says. */
  type: GPUCompilationMessageType;
  /** The part's path (e.g. `flash-f32/flash_f32.wgsl`), or `<preamble>` for engine-made lines. */
  file: string;
  /** 1-based line in that file. */
  line: number;
  /** 1-based column. */
  column: number;
  /** The compiler's text. */
  message: string;
}

/** Compiler messages of a composed module, mapped back to the part and line they concern. */
export function mapMessages(
  composed: ComposedShader,
  messages: readonly GPUCompilationMessage[],
): CompileMessage[] {
  return messages.map((m) => {
    const origin = composed.origins[m.lineNum - 1] ?? null;
    return {
      type: m.type,
      file: origin?.file ?? '<preamble>',
      line: origin?.line ?? m.lineNum,
      column: m.linePos,
      message: m.message,
    };
  });
}

/** `file:line:col: message | the line's text`, at most five, for one error line. */
export function formatCompileErrors(
  messages: readonly CompileMessage[],
  sources: ShaderSources,
  names: Readonly<Record<string, string>> = {},
): string {
  return messages
    .filter((m) => m.type === 'error')
    .slice(0, 5)
    .map((m) => {
      const text = (sources[m.file]?.split('\n')[m.line - 1] ?? '').trim();
      return `${names[m.file] ?? m.file}:${m.line}:${m.column}: ${m.message}${text !== '' ? ` | ${text}` : ''}`;
    })
    .join('; ');
}

/** Composes a plan and asks the compiler; every message comes back at its part's own line. */
export async function compileMessages(
  device: GPUDevice,
  sources: ShaderSources,
  plan: KernelPlan,
): Promise<{ module: GPUShaderModule; messages: CompileMessage[]; code: string }> {
  const composed = composeShaderMapped(sources, plan.files, plan.consts);
  // A module that does not compile also raises a validation error; its own scope swallows it,
  // because the compilation info below says the same at the right line.
  device.pushErrorScope('validation');
  const module = device.createShaderModule({
    label: `${plan.kernel.id} D=${plan.headDim}`,
    code: composed.code,
  });
  const info = await module.getCompilationInfo();
  const invalid = await device.popErrorScope();
  if (invalid && !info.messages.some((m) => m.type === 'error')) {
    throw new EngineError('internal', `compiling ${plan.kernel.id}: ${invalid.message}`);
  }
  return { module, messages: mapMessages(composed, info.messages), code: composed.code };
}

/**
 * Compiles a plan; WGSL errors become an EngineError quoting the compiler's messages at the
 * line of the file they concern (`compile-error` for a user kernel, `internal` for ours).
 * `names` gives user files their display names (e.g. `my.wgsl`).
 */
export async function compileKernel(
  device: GPUDevice,
  sources: ShaderSources,
  plan: KernelPlan,
  names: Readonly<Record<string, string>> = {},
): Promise<CompiledKernel> {
  const label = `${plan.kernel.id} D=${plan.headDim}`;
  return withErrorScopes(device, `compiling ${label}`, async () => {
    const { module, messages, code } = await compileMessages(device, sources, plan);
    if (messages.some((m) => m.type === 'error')) {
      const user = plan.kernel.file.startsWith(USER_FILE_PREFIX);
      throw new EngineError(
        user ? 'compile-error' : 'internal',
        `WGSL of ${label} does not compile: ${formatCompileErrors(messages, sources, names)}`,
      );
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
