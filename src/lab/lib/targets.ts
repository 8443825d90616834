/**
 * Targets: one kernel on one engine. The browser's own WebGPU engine is origin `browser`; a
 * native runner's backends are identified by the runner's ws URL, so a permalink names them
 * without carrying a token.
 */

import type { UserKernelSpec } from '../../model/index.ts';

/** The origin of the browser's own WebGPU engine. */
export const BROWSER_ORIGIN = 'browser';

/** A kernel on an engine. */
export interface TargetRef {
  /** `browser`, or the ws:// URL of the runner that offers it. */
  origin: string;
  /** Backend id: `webgpu` in the browser; `cpu`, `cuda`, `sdpa`, `dawn` on runners. */
  backend: string;
  /** Kernel id within the backend (a user kernel's display id). */
  kernel: string;
  /** The user's own kernel (the Kernel view's editor); never part of a key or a link. */
  userKernel?: UserKernelSpec | undefined;
}

/** Stable string key of a target, used in selections and permalinks. */
export function targetKey(t: TargetRef): string {
  return `${t.origin}|${t.backend}|${t.kernel}`;
}

/** Parses a target key; null when it is not one. */
export function parseTargetKey(key: string): TargetRef | null {
  const parts = key.split('|');
  if (parts.length !== 3) return null;
  const [origin, backend, kernel] = parts;
  if (origin === undefined || backend === undefined || kernel === undefined) return null;
  if (origin === '' || backend === '' || kernel === '') return null;
  if (origin !== BROWSER_ORIGIN && !/^wss?:\/\/[^\s|]+$/.test(origin)) return null;
  return { origin, backend, kernel };
}

/** Short host label of a runner URL, e.g. `127.0.0.1:9000`. */
export function runnerHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** Display label, e.g. `browser · webgpu · flash-f32` or `127.0.0.1:9000 · cpu · naive`. */
export function targetLabel(t: TargetRef): string {
  const where = t.origin === BROWSER_ORIGIN ? 'browser' : runnerHost(t.origin);
  return `${where} · ${t.backend} · ${t.kernel}`;
}

/** Display label of a target key; the key itself when it is not one. */
export function keyLabel(key: string): string {
  const ref = parseTargetKey(key);
  return ref ? targetLabel(ref) : key;
}
