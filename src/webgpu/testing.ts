/** Fixtures of the planning tests: a GPU's traits without a GPU, and kernels by id. */
import { KERNELS } from '../../shaders/index.ts';
import type { KernelDescriptor } from '../../shaders/index.ts';
import type { DeviceTraits, EngineLimits } from './device.ts';

/** Limits of the test GPU (32 KiB of workgroup memory, 128 MiB per binding). */
export const TEST_LIMITS: EngineLimits = {
  maxBufferSize: 2 ** 30,
  maxStorageBufferBindingSize: 2 ** 27,
  maxComputeWorkgroupStorageSize: 32_768,
  maxComputeInvocationsPerWorkgroup: 1024,
  maxComputeWorkgroupSizeX: 1024,
  maxComputeWorkgroupsPerDimension: 65_535,
  maxStorageBuffersPerShaderStage: 8,
};

/** Features of the test GPU. */
export const TEST_FEATURES = ['timestamp-query', 'subgroups', 'shader-f16'];

/** Traits of a test GPU with a fixed subgroup size of 32; `over` and `limits` change them. */
export function testTraits(
  over: Partial<DeviceTraits> = {},
  limits: Partial<EngineLimits> = {},
): DeviceTraits {
  return {
    features: new Set(TEST_FEATURES),
    limits: { ...TEST_LIMITS, ...limits },
    subgroupMinSize: 32,
    subgroupMaxSize: 32,
    name: 'Test GPU',
    software: false,
    ...over,
  };
}

/** The registered kernel `id` (throws for an unknown id). */
export function kernelById(id: string): KernelDescriptor {
  const k = KERNELS.find((x) => x.id === id);
  if (!k) throw new Error(`no kernel ${id}`);
  return k;
}
