/**
 * The kernel registry as the engine sees it: lookup with clear refusals (unknown kernel, dtype
 * or head dim it does not support, missing adapter features) and the KernelInfo list for the
 * lab and the runner.
 */
import { KERNELS, headDimsOf } from '../../shaders/index.ts';
import type { KernelDescriptor } from '../../shaders/index.ts';
import { hasKvShape, kvHeadsOf, kvSeqLenOf } from '../model/index.ts';
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
      kvShape: kernel.kvShapeRefusal === undefined,
      available: unavailableReason(kernel, traits) === null,
      ...(reason !== undefined ? { reason } : {}),
    };
  });
}

/** Kernel id that asks the registry for the best kernel of a config on the device. */
export const BEST_KERNEL = 'best';

/** Query rows (S) up to which the split-KV decode kernel is the best choice. */
export const DECODE_MAX_SEQ = 16;

/** Why a kernel cannot run a config (dtype, head dim, K/V shape) on a device, or null. */
export function refusalFor(
  kernel: KernelDescriptor,
  config: AttentionConfig,
  traits: DeviceTraits,
): string | null {
  if (kernel.dtype !== config.dtype) return `computes in ${kernel.dtype}`;
  const step = kernel.headDimMultiple ?? 8;
  if (config.headDim % step !== 0 || config.headDim > kernel.maxHeadDim) {
    return `supports head dims that are multiples of ${step} in ${step}..${kernel.maxHeadDim}`;
  }
  if (kernel.kvShapeRefusal !== undefined && hasKvShape(config)) return kernel.kvShapeRefusal;
  return unavailableReason(kernel, traits);
}

/**
 * The best kernel for a config here: split-KV decode for S ≤ DECODE_MAX_SEQ (the K/V length is
 * then the only parallelism left), else the fastest prefill kernel that can run it — the v2
 * subgroup-matrix kernels, then flash-subgroup / flash-f16, then flash-f32.
 */
export function bestKernel(config: AttentionConfig, traits: DeviceTraits): KernelDescriptor | null {
  const order =
    config.seqLen <= DECODE_MAX_SEQ
      ? ['flash-decode-f32', 'flash-decode-f16']
      : ['flash-sgmat-f16-v2', 'flash-sgmat-f32x3-v2', 'flash-subgroup', 'flash-f16', 'flash-f32'];
  const fallbacks = KERNELS.map((k) => k.id).filter((id) => !order.includes(id));
  for (const id of [...order, ...fallbacks]) {
    const kernel = KERNELS.find((k) => k.id === id);
    if (kernel && refusalFor(kernel, config, traits) === null) return kernel;
  }
  return null;
}

/**
 * Finds the kernel for a run (`best`: bestKernel); throws an EngineError that lists the
 * alternatives otherwise.
 */
export function resolveKernel(
  id: string,
  config: AttentionConfig,
  traits: DeviceTraits,
): KernelDescriptor {
  if (id === BEST_KERNEL) {
    const best = bestKernel(config, traits);
    if (!best) {
      throw new EngineError(
        'unsupported',
        `kernel: no WebGPU kernel on ${traits.name} can run ${config.dtype} at D=${config.headDim}; ` +
          KERNELS.map((k) => `${k.id} ${refusalFor(k, config, traits) ?? 'can'}`).join('; '),
      );
    }
    return best;
  }
  const kernel = KERNELS.find((k) => k.id === id);
  if (!kernel) {
    throw new EngineError(
      'unknown-kernel',
      `kernel: "${id}" is not a WebGPU kernel; choose one of ${KERNELS.map((k) => k.id).join(', ')} or ${BEST_KERNEL}`,
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
  if (kernel.kvShapeRefusal !== undefined && hasKvShape(config)) {
    throw new EngineError(
      'unsupported',
      `config.kvHeads/kvSeqLen: ${kernel.id} ${kernel.kvShapeRefusal} (got heads ${config.heads}, kvHeads ${kvHeadsOf(config)}, seqLen ${config.seqLen}, kvSeqLen ${kvSeqLenOf(config)})`,
    );
  }
  const reason = unavailableReason(kernel, traits);
  if (reason !== null) throw new EngineError('unsupported', `kernel: ${kernel.id} ${reason}`);
  return kernel;
}
