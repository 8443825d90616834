/**
 * The difference between two environment fingerprints, as flat `path: a → b` rows — what the
 * CLI's compare and the lab's Compare view show under "environment". Rows come ordered by how
 * much they can move a kernel's time (device, driver, features, compute limits, clocks,
 * versions) and the rest (texture limits, host names, ids) is marked as folded, so that every
 * printer shows the same few lines first and only formats.
 */
import type { Env } from './result.ts';

/** Why a difference matters, most important first; `other` is folded by default. */
export const ENV_GROUPS = [
  'device',
  'driver',
  'features',
  'compute limits',
  'clocks',
  'versions',
  'other',
] as const;
/** A group of environment fields. */
export type EnvGroup = (typeof ENV_GROUPS)[number];

/** One differing field. `a`/`b` are display strings; `undefined` means absent on that side. */
export interface EnvDifference {
  /** Dotted path, e.g. `gpu.driver` or `adapter.limits.maxBufferSize`. */
  path: string;
  a: string | undefined;
  b: string | undefined;
  /** What kind of field it is (ordering key). */
  group: EnvGroup;
  /**
   * True when a printer should show it before folding the rest: every group but `other`, except
   * limits, features and versions that only one side has.
   */
  important: boolean;
  /** For list fields (features): entries only the candidate has. */
  added?: string[];
  /** For list fields (features): entries only the baseline has. */
  removed?: string[];
}

// WebGPU limits that bound a compute kernel (workgroup shape, shared memory, buffer sizes);
// the many texture/vertex/bind-group limits do not touch attention kernels.
const COMPUTE_LIMIT =
  /^adapter\.limits\.(maxCompute\w*|maxStorageBufferBindingSize|maxBufferSize|maxStorageBuffersPerShaderStage|maxUniformBufferBindingSize|minStorageBufferOffsetAlignment|subgroup\w*)$/;

const RULES: readonly [RegExp, EnvGroup][] = [
  [
    /^(adapter\.(vendor|architecture|device|description)|gpu\.(name|computeCapability|smCount|memoryBytes))$/,
    'device',
  ],
  [/^(gpu\.(driver|cudaDriver|cudaRuntime)|adapter\.runtime)$/, 'driver'],
  [/^adapter\.features$/, 'features'],
  [COMPUTE_LIMIT, 'compute limits'],
  [
    /^(gpu\.(smClockMaxMHz|memClockMaxMHz|peakTflops|peakGbps)|adapter\.timestampQuantumMs)$/,
    'clocks',
  ],
  [
    /^(software\..+|compiler\..+|runner\.(version|commit)|host\.(node|os|cpu|cpus|arch))$/,
    'versions',
  ],
];

/** The group of a dotted env path. */
export function envGroupOf(path: string): EnvGroup {
  for (const [pattern, group] of RULES) if (pattern.test(path)) return group;
  return 'other';
}

function flatten(value: unknown, prefix: string, out: Map<string, string | string[]>): void {
  // An empty string (a browser that hides the adapter's description) says nothing: absent.
  if (value === undefined || value === null || value === '') return;
  if (Array.isArray(value)) {
    // Feature lists and the like: compared as sets.
    out.set(prefix, (value as unknown[]).map(String).sort());
    return;
  }
  if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value))
      flatten(v, prefix === '' ? k : `${prefix}.${k}`, out);
    return;
  }
  out.set(prefix, typeof value === 'string' ? value : JSON.stringify(value));
}

function show(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(', ') : v;
}

/**
 * Lists the fields that differ between two environments: important groups first (in
 * `ENV_GROUPS` order), by path within a group. List fields also say what was added/removed.
 */
export function diffEnv(a: Env, b: Env): EnvDifference[] {
  const fa = new Map<string, string | string[]>();
  const fb = new Map<string, string | string[]>();
  flatten(a, '', fa);
  flatten(b, '', fb);
  const rows: EnvDifference[] = [];
  for (const path of new Set([...fa.keys(), ...fb.keys()])) {
    const va = fa.get(path);
    const vb = fb.get(path);
    if (show(va) === show(vb)) continue;
    const group = envGroupOf(path);
    // A limit, feature list or version present on one side only (a browser against a CUDA host)
    // says the backends differ, which the device rows already say: fold it.
    const oneSided = va === undefined || vb === undefined;
    const important =
      group !== 'other' &&
      (!oneSided || group === 'device' || group === 'driver' || group === 'clocks');
    const row: EnvDifference = { path, a: show(va), b: show(vb), group, important };
    if (Array.isArray(va) || Array.isArray(vb)) {
      const la = Array.isArray(va) ? va : [];
      const lb = Array.isArray(vb) ? vb : [];
      row.added = lb.filter((x) => !la.includes(x));
      row.removed = la.filter((x) => !lb.includes(x));
    }
    rows.push(row);
  }
  const rank = (g: EnvGroup): number => ENV_GROUPS.indexOf(g);
  return rows.sort((x, y) => rank(x.group) - rank(y.group) || x.path.localeCompare(y.path));
}

/** The differences split for printing: what to show first and how many are folded. */
export function splitEnvDiff(diff: readonly EnvDifference[]): {
  important: EnvDifference[];
  folded: EnvDifference[];
} {
  return { important: diff.filter((d) => d.important), folded: diff.filter((d) => !d.important) };
}

/**
 * A row's two sides as display text; a list field shows only what changed
 * (`+ added; − removed`) rather than two long lists.
 */
export function envDiffText(d: EnvDifference): { a: string; b: string } {
  if (d.added !== undefined && d.removed !== undefined && d.a !== undefined && d.b !== undefined) {
    return {
      a: d.removed.length > 0 ? `− ${d.removed.join(', ')}` : '(no others)',
      b: d.added.length > 0 ? `+ ${d.added.join(', ')}` : '(no others)',
    };
  }
  return { a: d.a ?? '—', b: d.b ?? '—' };
}
