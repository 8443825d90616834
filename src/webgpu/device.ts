/**
 * Device acquisition and the one place that handles `device.lost` and uncaptured errors, used
 * alike by the browser worker and by Node through Dawn. No DOM: only the WebGPU API.
 */
import { isSoftwareIdentity } from '../model/software.ts';
import { EngineError } from './errors.ts';

/** Optional features the engine asks for when the adapter has them. */
export const WANTED_FEATURES = [
  'timestamp-query',
  'shader-f16',
  'subgroups',
  'chromium-experimental-subgroup-matrix',
] as const;

/** Limits the engine raises to the adapter's maximum (tile sizes and buffer sizes need them). */
export const WANTED_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
] as const;

/** The limits the engine reads, by name. */
export type EngineLimits = Record<(typeof WANTED_LIMITS)[number], number>;

/** What tile selection and kernel availability depend on. */
export interface DeviceTraits {
  /** Features enabled on the device. */
  features: ReadonlySet<string>;
  /** Limits in force on the device. */
  limits: EngineLimits;
  /** Smallest subgroup size the adapter reports (null: unknown). */
  subgroupMinSize: number | null;
  /** Largest subgroup size the adapter reports (null: unknown). */
  subgroupMaxSize: number | null;
  /** Adapter description for messages, e.g. `NVIDIA H100 (nvidia hopper)`. */
  name: string;
  /** True for CPU implementations (SwiftShader, lavapipe): small tiles compile much faster there. */
  software: boolean;
  /** True when subgroup matrices offer 16×16×16 f16 operands with f32 results (tensor cores). */
  subgroupMatrixF16?: boolean;
}

/** One entry of `adapter.info.subgroupMatrixConfigs` (Dawn's experimental subgroup matrices). */
interface SubgroupMatrixConfig {
  componentType: string;
  resultComponentType: string;
  M: number;
  N: number;
  K: number;
}

/** Whether the adapter lists a 16×16×16 f16 → f32 subgroup-matrix configuration. */
export function hasSubgroupMatrixF16(info: GPUAdapterInfo): boolean {
  const configs = (info as GPUAdapterInfo & { subgroupMatrixConfigs?: unknown })
    .subgroupMatrixConfigs;
  if (!Array.isArray(configs)) return false;
  return (configs as Partial<SubgroupMatrixConfig>[]).some(
    (c) =>
      c.componentType === 'f16' &&
      c.resultComponentType === 'f32' &&
      c.M === 16 &&
      c.N === 16 &&
      c.K === 16,
  );
}

/** Help shown when there is no adapter at all. */
export const NO_ADAPTER_HELP =
  'WebGPU found no adapter. In a browser use a recent Chrome or Edge (or enable WebGPU in your browser’s flags); in Node, attnlab uses Dawn over Vulkan: install a Vulkan driver, or for CPU-only machines SwiftShader with `apt-get install chromium libvulkan1`.';

/** Asserts that an adapter was found; throws an `unsupported` EngineError with help otherwise. */
export function requireAdapter(
  adapter: GPUAdapter | null,
  help: string,
): asserts adapter is GPUAdapter {
  if (adapter === null) throw new EngineError('unsupported', 'no WebGPU adapter available', help);
}

/** Watches a device for loss and uncaptured errors so runs can report them. */
export class DeviceWatch {
  /** Set once the device is lost: the reason and message. */
  lost: { reason: string; message: string } | null = null;
  private readonly errors: string[] = [];

  constructor(device: GPUDevice) {
    void device.lost.then((info) => {
      this.lost = { reason: info.reason, message: info.message };
    });
    device.onuncapturederror = (event: GPUUncapturedErrorEvent): void => {
      this.errors.push(event.error.message);
    };
  }

  /** Throws an EngineError when the device was lost or raised an uncaptured error since last asked. */
  check(what: string): void {
    if (this.lost) {
      throw new EngineError(
        'internal',
        `${what}: the GPU device was lost (${this.lost.reason}: ${this.lost.message || 'no message'}); re-initialise the engine to continue`,
      );
    }
    const first = this.errors.shift();
    if (first !== undefined) {
      this.errors.length = 0;
      throw new EngineError('internal', `${what}: WebGPU error: ${first}`);
    }
  }
}

/** An opened device with its traits and watcher. */
export interface EngineDevice {
  /** The adapter the device came from. */
  adapter: GPUAdapter;
  /** The device. */
  device: GPUDevice;
  /** Features, limits and subgroup sizes. */
  traits: DeviceTraits;
  /** Loss and error watcher. */
  watch: DeviceWatch;
}

/** Describes an adapter in a few words, for messages and the result. */
export function adapterName(info: GPUAdapterInfo): string {
  const parts = [info.vendor, info.architecture, info.device].filter((p) => p !== '');
  const desc = info.description !== '' ? info.description : parts.join(' ');
  return parts.length > 0 && desc !== parts.join(' ')
    ? `${desc} (${parts.join(' ')})`
    : desc || 'unknown adapter';
}

/** Reads the subgroup sizes from adapter info where the implementation reports them. */
function subgroupSizes(info: GPUAdapterInfo): { min: number | null; max: number | null } {
  const extra = info as GPUAdapterInfo & { subgroupMinSize?: unknown; subgroupMaxSize?: unknown };
  const min =
    typeof extra.subgroupMinSize === 'number' && extra.subgroupMinSize > 0
      ? extra.subgroupMinSize
      : null;
  const max =
    typeof extra.subgroupMaxSize === 'number' && extra.subgroupMaxSize > 0
      ? extra.subgroupMaxSize
      : null;
  return { min, max };
}

/** Whether an adapter is a CPU implementation of WebGPU (fallback adapter, SwiftShader, llvmpipe). */
export function isSoftwareAdapter(info: GPUAdapterInfo): boolean {
  // Older implementations lack isFallbackAdapter (undefined): then the name decides.
  const fallback = (info as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  return isSoftwareIdentity({
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    isFallbackAdapter: fallback,
  });
}

/** Requests a device with every wanted feature the adapter has and its largest wanted limits. */
export async function openDevice(adapter: GPUAdapter): Promise<EngineDevice> {
  // The subgroup-matrix feature name is not in @webgpu/types yet (Dawn-only, experimental).
  const features = WANTED_FEATURES.filter((f) => adapter.features.has(f)) as GPUFeatureName[];
  const requiredLimits: Record<string, number> = {};
  for (const name of WANTED_LIMITS) requiredLimits[name] = adapter.limits[name];
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredFeatures: features, requiredLimits });
  } catch (err) {
    throw new EngineError('unsupported', `requestDevice failed: ${(err as Error).message}`);
  }
  const limits = {} as EngineLimits;
  for (const name of WANTED_LIMITS) limits[name] = device.limits[name];
  const sizes = subgroupSizes(adapter.info);
  return {
    adapter,
    device,
    watch: new DeviceWatch(device),
    traits: {
      features: new Set(device.features),
      limits,
      subgroupMinSize: sizes.min,
      subgroupMaxSize: sizes.max,
      name: adapterName(adapter.info),
      software: isSoftwareAdapter(adapter.info),
      subgroupMatrixF16:
        device.features.has('chromium-experimental-subgroup-matrix') &&
        hasSubgroupMatrixF16(adapter.info),
    },
  };
}

/**
 * Runs `body` inside validation and out-of-memory error scopes; a captured error becomes an
 * EngineError naming `what` (e.g. `allocating buffers`).
 */
export async function withErrorScopes<T>(
  device: GPUDevice,
  what: string,
  body: () => T | Promise<T>,
): Promise<T> {
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let outcome: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: await body() };
  } catch (error) {
    outcome = { ok: false, error };
  }
  const validation = await device.popErrorScope();
  const oom = await device.popErrorScope();
  if (oom)
    throw new EngineError('too-large-for-device', `${what}: out of GPU memory (${oom.message})`);
  if (validation)
    throw new EngineError('internal', `${what}: WebGPU validation error: ${validation.message}`);
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}
