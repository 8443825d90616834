/** The environment fingerprint of a WebGPU run: adapter info, features, limits, runtime, quantum. */
import type { Env } from '../model/index.ts';
import { isSoftwareAdapter } from './device.ts';

/** Every limit of the WebGPU spec, read from the adapter when present. */
export const LIMIT_NAMES = [
  'maxTextureDimension1D',
  'maxTextureDimension2D',
  'maxTextureDimension3D',
  'maxTextureArrayLayers',
  'maxBindGroups',
  'maxBindGroupsPlusVertexBuffers',
  'maxBindingsPerBindGroup',
  'maxDynamicUniformBuffersPerPipelineLayout',
  'maxDynamicStorageBuffersPerPipelineLayout',
  'maxSampledTexturesPerShaderStage',
  'maxSamplersPerShaderStage',
  'maxStorageBuffersPerShaderStage',
  'maxStorageTexturesPerShaderStage',
  'maxUniformBuffersPerShaderStage',
  'maxUniformBufferBindingSize',
  'maxStorageBufferBindingSize',
  'minUniformBufferOffsetAlignment',
  'minStorageBufferOffsetAlignment',
  'maxVertexBuffers',
  'maxBufferSize',
  'maxVertexAttributes',
  'maxVertexBufferArrayStride',
  'maxInterStageShaderVariables',
  'maxColorAttachments',
  'maxColorAttachmentBytesPerSample',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
] as const;

/** Adapter part of the fingerprint. */
export type AdapterEnv = NonNullable<Env['adapter']>;

/** Fingerprint of an adapter; `quantumMs` is the detected timestamp quantum (null: none). */
export function adapterEnv(
  adapter: GPUAdapter,
  runtime: string,
  quantumMs: number | null,
): AdapterEnv {
  const limits: Record<string, number> = {};
  const source = adapter.limits as unknown as Record<string, unknown>;
  for (const name of LIMIT_NAMES) {
    const value = source[name];
    if (typeof value === 'number') limits[name] = value;
  }
  const info = adapter.info;
  const extra = info as GPUAdapterInfo & { subgroupMinSize?: unknown; subgroupMaxSize?: unknown };
  if (typeof extra.subgroupMinSize === 'number') limits.subgroupMinSize = extra.subgroupMinSize;
  if (typeof extra.subgroupMaxSize === 'number') limits.subgroupMaxSize = extra.subgroupMaxSize;
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    features: [...adapter.features].sort(),
    limits,
    runtime,
    timestampQuantumMs: quantumMs,
    software: isSoftwareAdapter(info),
  };
}
