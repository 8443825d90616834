/**
 * The difference between two environment fingerprints, as flat `path: a → b` rows — what the
 * CLI's compare and the lab's Compare view show under "environment".
 */
import type { Env } from './result.ts';

/** One differing field. `a`/`b` are display strings; `undefined` means absent on that side. */
export interface EnvDifference {
  /** Dotted path, e.g. `gpu.driver` or `adapter.limits.maxBufferSize`. */
  path: string;
  a: string | undefined;
  b: string | undefined;
}

function flatten(value: unknown, prefix: string, out: Map<string, string>): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    // Feature lists and the like: compare as sets, shown sorted.
    out.set(prefix, (value as unknown[]).map(String).sort().join(', '));
    return;
  }
  if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value))
      flatten(v, prefix === '' ? k : `${prefix}.${k}`, out);
    return;
  }
  out.set(prefix, typeof value === 'string' ? value : JSON.stringify(value));
}

/** Lists the fields that differ between two environments, sorted by path. */
export function diffEnv(a: Env, b: Env): EnvDifference[] {
  const fa = new Map<string, string>();
  const fb = new Map<string, string>();
  flatten(a, '', fa);
  flatten(b, '', fb);
  const paths = [...new Set([...fa.keys(), ...fb.keys()])].sort();
  return paths
    .filter((p) => fa.get(p) !== fb.get(p))
    .map((path) => ({ path, a: fa.get(path), b: fb.get(path) }));
}
