/**
 * Software (CPU-emulated) WebGPU: one rule for recognising it and one label for showing it, so
 * a SwiftShader run never reads as a GPU run in the header, the target list, results, compare
 * views or exports.
 */
import type { Env } from './result.ts';

/** The label of a CPU-emulated WebGPU adapter, wherever one is shown. */
export const SOFTWARE_WEBGPU_LABEL = 'software (CPU-emulated) WebGPU';

/** Adapter names of CPU implementations of WebGPU/Vulkan/D3D12 (SwiftShader, llvmpipe, lavapipe, WARP). */
const SOFTWARE_NAMES = /swiftshader|llvmpipe|lavapipe|\bwarp\b|microsoft basic render|software/i;

/** What the rule reads of an adapter: its info strings and the fallback flag when known. */
export interface AdapterIdentity {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** `GPUAdapterInfo.isFallbackAdapter` (undefined in older implementations). */
  isFallbackAdapter?: boolean | undefined;
}

/** Whether an adapter is a CPU implementation: the fallback adapter, or a known software name. */
export function isSoftwareIdentity(info: AdapterIdentity): boolean {
  if (info.isFallbackAdapter === true) return true;
  return SOFTWARE_NAMES.test(
    `${info.vendor} ${info.architecture} ${info.device} ${info.description}`,
  );
}

/**
 * Whether a result's (or an engine's) WebGPU adapter is software: the recorded flag, or for files
 * written before the flag existed, the adapter's name.
 */
export function isSoftwareEnv(env: Env | null | undefined): boolean {
  const adapter = env?.adapter;
  if (!adapter) return false;
  return adapter.software ?? isSoftwareIdentity(adapter);
}
