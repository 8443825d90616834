/**
 * The native runner's backends, GPU first (the server takes the first GPU it finds for the
 * environment fingerprint); each discovers itself and says why it is missing.
 */
import type { Backend } from './backend.ts';
import { CpuBackend } from './backends/cpu.ts';
import { CudaBackend } from './backends/cuda.ts';
import { DawnBackend } from './backends/dawn.ts';
import { SdpaBackend } from './backends/sdpa.ts';

/** Fresh instances of every native backend: cuda, sdpa, dawn, cpu. */
export function createBackends(): Backend[] {
  return [new CudaBackend(), new SdpaBackend(), new DawnBackend(), new CpuBackend()];
}
