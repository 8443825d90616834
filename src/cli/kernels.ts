/**
 * The kernel `attnlab run` uses when --kernel is not given: each backend's best kernel for the
 * config's dtype among those every machine of that backend has (a faster kernel that needs a
 * particular GPU, e.g. the Hopper versions, is named with --kernel).
 */
import type { Dtype } from '../model/index.ts';

const DEFAULTS: Record<string, Partial<Record<Dtype, string>> & { any?: string }> = {
  cpu: { any: 'cpu-flash-f32' },
  webgpu: { f16: 'flash-f16', any: 'flash-f32' },
  dawn: { f16: 'flash-f16', any: 'flash-f32' },
  cuda: { f16: 'flash-v1', bf16: 'flash-v1', f32: 'naive-f32' },
  sdpa: { f16: 'flash', bf16: 'flash', f32: 'efficient' },
};

/** The default kernel id of `backend` for `dtype`, or undefined when the backend is unknown. */
export function defaultKernel(backend: string, dtype: Dtype): string | undefined {
  const d = DEFAULTS[backend];
  return d?.[dtype] ?? d?.any;
}
