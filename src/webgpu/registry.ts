/**
 * The kernel registry as the engine sees it: lookup with clear refusals (unknown kernel, dtype
 * or head dim it does not support, missing adapter features) and the KernelInfo list for the
 * lab and the runner.
 */
import { KERNELS, headDimsOf } from '../../shaders/index.ts';
import type { KernelDescriptor } from '../../shaders/index.ts';
import type { AttentionConfig, Dtype, KernelInfo } from '../model/index.ts';
import type { DeviceTraits } from './device.ts';
import { EngineError } from './errors.ts';

/** Kernel ids for a dtype, e.g. `naive-f32, flash-f32, flash-subgroup` for f32. */
export function kernelsForDtype(dtype: Dtype): string[] {
  return KERNELS.filter((k) => k.dtype === dtype).map((k) => k.id);
}

/** Why a kernel cannot run on a device, or null when it can. */
export function unavailableReason(kernel: KernelDescriptor, traits: DeviceTraits): string | null {
  const missing = kernel.requires.filter((f) => !traits.features.has(f));
  if (missing.length > 0) {
    return `needs the adapter feature${missing.length > 1 ? 's' : ''} ${missing.map((f) => `"${f}"`).join(', ')}, which ${traits.name} does not offer`;
  }
  if (kernel.scheme === 'lanes-per-row' && traits.subgroupMinSize === null) {
    return `needs the adapter's subgroup sizes, which ${traits.name} does not report`;
  }
  if (kernel.scheme === 'subgroup-matrix') {
    if (traits.subgroupMatrixF16 !== true) {
      return `needs a 16×16×16 f16→f32 subgroup-matrix configuration, which ${traits.name} does not offer`;
    }
    if (traits.subgroupMinSize !== 32 || traits.subgroupMaxSize !== 32) {
      return `needs a fixed subgroup size of 32 (two invocations per row of a 16-row block); ${traits.name} reports ${traits.subgroupMinSize ?? '?'}..${traits.subgroupMaxSize ?? '?'}`;
    }
  }
  return null;
}

/** A note on how a kernel runs here (e.g. f16 emulated), or undefined. */
export function kernelNote(kernel: KernelDescriptor, traits: DeviceTraits): string | undefined {
  if (kernel.halfParts && !traits.features.has('shader-f16')) {
    return 'no shader-f16 on this adapter: f16 storage with f32 math';
  }
  return undefined;
}

/** KernelInfo of every kernel for a device (unavailable ones included, with the reason). */
export function kernelInfos(traits: DeviceTraits): KernelInfo[] {
  return KERNELS.map((kernel) => {
    const reason = unavailableReason(kernel, traits) ?? kernelNote(kernel, traits);
    return {
      id: kernel.id,
      description: kernel.description,
      dtypes: [kernel.dtype],
      headDims: headDimsOf(kernel),
      causal: true,
      available: unavailableReason(kernel, traits) === null,
      ...(reason !== undefined ? { reason } : {}),
    };
  });
}

/** Finds the kernel for a run; throws an EngineError that lists the alternatives otherwise. */
export function resolveKernel(
  id: string,
  config: AttentionConfig,
  traits: DeviceTraits,
): KernelDescriptor {
  const kernel = KERNELS.find((k) => k.id === id);
  if (!kernel) {
    throw new EngineError(
      'unknown-kernel',
      `kernel: "${id}" is not a WebGPU kernel; choose one of ${KERNELS.map((k) => k.id).join(', ')}`,
    );
  }
  if (kernel.dtype !== config.dtype) {
    const options = kernelsForDtype(config.dtype);
    throw new EngineError(
      'unsupported',
      `kernel: ${kernel.id} computes in ${kernel.dtype} but the config's dtype is ${config.dtype}; ` +
        (options.length > 0
          ? `kernels for ${config.dtype}: ${options.join(', ')}`
          : `WebGPU has no ${config.dtype} kernels (dtypes: f32 → ${kernelsForDtype('f32').join(', ')}; f16 → ${kernelsForDtype('f16').join(', ')})`),
    );
  }
  return checkKernel(kernel, config, traits);
}

/**
 * Refuses a kernel (built-in or user) that cannot run a config here: dtype, head dim, adapter
 * features. The same checks for both, so a user kernel is refused exactly as a built-in is.
 */
export function checkKernel(
  kernel: KernelDescriptor,
  config: AttentionConfig,
  traits: DeviceTraits,
): KernelDescriptor {
  if (kernel.dtype !== config.dtype) {
    throw new EngineError(
      'unsupported',
      `kernel: ${kernel.id} computes in ${kernel.dtype} but the config's dtype is ${config.dtype}`,
    );
  }
  const step = kernel.headDimMultiple ?? 8;
  if (config.headDim % step !== 0 || config.headDim > kernel.maxHeadDim) {
    throw new EngineError(
      'unsupported',
      `config.headDim: ${kernel.id} supports multiples of ${step} in ${step}..${kernel.maxHeadDim} (got ${config.headDim})`,
    );
  }
  const reason = unavailableReason(kernel, traits);
  if (reason !== null) throw new EngineError('unsupported', `kernel: ${kernel.id} ${reason}`);
  return kernel;
}
