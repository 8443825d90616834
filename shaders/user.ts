/**
 * User kernels: a .wgsl file that follows the contract in shaders/README.md, with its descriptor
 * taken from a built-in (`like`) and/or declared in `// @attnlab key=value …` header lines. The
 * engine then treats it exactly like a built-in: same planning, check, timing and result file.
 */
import { KERNELS } from './index.ts';
import type { KernelDescriptor, KernelScheme } from './kernel.ts';

/** Where user sources live in the engine's source map (never a built-in's path). */
export const USER_FILE_PREFIX = 'user/';

/** Largest user kernel source, bytes (the runner refuses larger ones too). */
export const MAX_USER_SOURCE_BYTES = 256 * 1024;

/** A user kernel as sent to an engine: its WGSL and, optionally, the built-in it follows. */
export interface UserKernelSource {
  /** The WGSL text. */
  readonly source: string;
  /** Built-in whose descriptor it follows unless the header declares its own fields. */
  readonly like?: string | undefined;
  /** Display name (file stem or the lab's saved name); the header's `id=` wins. */
  readonly name?: string | undefined;
}

/** A header problem: the 1-based line of the source and what is wrong. */
export class KernelHeaderError extends Error {
  constructor(
    /** 1-based line of the source. */
    readonly line: number,
    /** What is wrong, without the line. */
    readonly detail: string,
  ) {
    super(`line ${line}: ${detail}`);
    this.name = 'KernelHeaderError';
  }
}

const SCHEMES: readonly KernelScheme[] = [
  'naive',
  'row-per-invocation',
  'lanes-per-row',
  'subgroup-matrix',
  'split-kv',
];
const LAYOUTS = ['packed', 'padded', 'padded-colmajor'] as const;
const ID = /^[A-Za-z0-9][\w.-]{0,47}$/;
const IDENT = /^[A-Za-z_]\w*$/;

/** Header keys and what each sets (README's table is the same list). */
export const HEADER_KEYS = [
  'like',
  'id',
  'description',
  'scheme',
  'dtype',
  'entries',
  'max-head-dim',
  'head-dim-multiple',
  'requires',
  'scores',
  'layout',
] as const;
type HeaderKey = (typeof HEADER_KEYS)[number];

/** The `// @attnlab` fields of a source, with the line each came from. */
export type KernelHeader = Partial<Record<HeaderKey, { value: string; line: number }>>;

const HEADER_LINE = /^\s*\/\/\s*@attnlab\b(.*)$/;
const PAIR = /([\w-]+)=("(?:[^"\\]|\\.)*"|\S+)/g;

/** Reads every `// @attnlab key=value …` line; unknown keys and repeats are errors. */
export function parseKernelHeader(source: string): KernelHeader {
  const header: KernelHeader = {};
  source.split('\n').forEach((text, i) => {
    const m = HEADER_LINE.exec(text);
    if (!m) return;
    const rest = m[1] ?? '';
    const line = i + 1;
    const leftover = rest.replace(PAIR, '').trim();
    if (leftover !== '') {
      throw new KernelHeaderError(line, `@attnlab: expected key=value pairs, not "${leftover}"`);
    }
    for (const [, key = '', raw = ''] of rest.matchAll(PAIR)) {
      if (!(HEADER_KEYS as readonly string[]).includes(key)) {
        throw new KernelHeaderError(
          line,
          `@attnlab: unknown key "${key}"; keys: ${HEADER_KEYS.join(', ')}`,
        );
      }
      const k = key as HeaderKey;
      if (header[k]) {
        throw new KernelHeaderError(
          line,
          `@attnlab: ${k} is set twice (first on line ${header[k].line})`,
        );
      }
      const value = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
      header[k] = { value, line };
    }
  });
  return header;
}

function intField(
  h: { value: string; line: number },
  key: string,
  min: number,
  max: number,
): number {
  const n = Number(h.value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new KernelHeaderError(
      h.line,
      `@attnlab ${key}: an integer in ${min}..${max} (got "${h.value}")`,
    );
  }
  return n;
}

function listField(h: { value: string; line: number }, key: string, pattern: RegExp): string[] {
  const items = h.value.split(',').filter((s) => s !== '');
  const bad = items.find((s) => !pattern.test(s));
  if (items.length === 0 || bad !== undefined) {
    throw new KernelHeaderError(
      h.line,
      `@attnlab ${key}: a comma-separated list of names (got "${bad ?? h.value}")`,
    );
  }
  return items;
}

function oneOf<T extends string>(
  h: { value: string; line: number },
  key: string,
  allowed: readonly T[],
): T {
  if (!(allowed as readonly string[]).includes(h.value)) {
    throw new KernelHeaderError(
      h.line,
      `@attnlab ${key}: one of ${allowed.join(', ')} (got "${h.value}")`,
    );
  }
  return h.value as T;
}

/** Hex SHA-256 of a text (UTF-8), in the browser and in Node. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The descriptor of a user kernel: the `like` built-in's (header `like=` wins over the option),
 * then every header field over it. Without any base the header must declare scheme, dtype and
 * entries. `hash` (the source's SHA-256) names its file, so two versions never share a pipeline.
 */
export function userKernelDescriptor(user: UserKernelSource, hash: string): KernelDescriptor {
  const bytes = new TextEncoder().encode(user.source).length;
  if (bytes > MAX_USER_SOURCE_BYTES) {
    throw new KernelHeaderError(
      1,
      `the source is ${bytes} bytes; the limit is ${MAX_USER_SOURCE_BYTES} (256 KiB)`,
    );
  }
  const h = parseKernelHeader(user.source);
  const likeId = h.like?.value ?? user.like;
  let base: Partial<KernelDescriptor> = {};
  if (likeId !== undefined) {
    const found = KERNELS.find((k) => k.id === likeId);
    if (!found) {
      throw new KernelHeaderError(
        h.like?.line ?? 1,
        `like: "${likeId}" is not a built-in WebGPU kernel; choose one of ${KERNELS.map((k) => k.id).join(', ')}`,
      );
    }
    base = found;
  } else if (!h.scheme || !h.dtype || !h.entries) {
    throw new KernelHeaderError(
      1,
      'no descriptor: add a header line "// @attnlab like=flash-f32" (or pass --like), or declare scheme=, dtype= and entries= (shaders/README.md)',
    );
  }
  const rawName = h.id?.value ?? user.name ?? `user-${hash.slice(0, 8)}`;
  if (!ID.test(rawName)) {
    throw new KernelHeaderError(
      h.id?.line ?? 1,
      `id: letters, digits, ".", "_" or "-", at most 48 characters, starting with a letter or digit (got "${rawName}")`,
    );
  }
  const scheme = h.scheme ? oneOf(h.scheme, 'scheme', SCHEMES) : base.scheme;
  const dtype = h.dtype ? oneOf(h.dtype, 'dtype', ['f32', 'f16'] as const) : base.dtype;
  const entries = h.entries ? listField(h.entries, 'entries', IDENT) : base.entries;
  if (scheme === undefined || dtype === undefined || entries === undefined) {
    throw new Error('unreachable: the base or the header supplies scheme, dtype and entries');
  }
  if (scheme === 'naive' && entries.length !== 3) {
    throw new KernelHeaderError(
      h.entries?.line ?? 1,
      `@attnlab entries: the naive scheme launches three entry points (scores, softmax, P·V); got ${entries.length}`,
    );
  }
  if (scheme === 'split-kv' && entries.length !== 2) {
    throw new KernelHeaderError(
      h.entries?.line ?? 1,
      `@attnlab entries: the split-kv scheme launches two entry points (split, combine); got ${entries.length}`,
    );
  }
  const layout = h.layout ? oneOf(h.layout, 'layout', LAYOUTS) : undefined;
  const descriptor: KernelDescriptor = {
    id: rawName,
    description:
      h.description?.value ??
      (likeId !== undefined ? `user kernel (follows ${likeId})` : `user kernel (${scheme})`),
    dtype,
    maxHeadDim: h['max-head-dim']
      ? intField(h['max-head-dim'], 'max-head-dim', 8, 1024)
      : (base.maxHeadDim ?? 128),
    requires: h.requires
      ? (listField(h.requires, 'requires', /^[a-z][\w-]*$/) as GPUFeatureName[])
      : (base.requires ?? []),
    scheme,
    file: `${USER_FILE_PREFIX}${hash}.wgsl`,
    entries,
    materializesScores: h.scores
      ? oneOf(h.scores, 'scores', ['true', 'false'] as const) === 'true'
      : (base.materializesScores ?? scheme === 'naive'),
  };
  const multiple = h['head-dim-multiple']
    ? intField(h['head-dim-multiple'], 'head-dim-multiple', 1, 128)
    : base.headDimMultiple;
  const matrix = layout !== undefined ? { layout } : base.matrix;
  // f16 built-ins prepend a storage part (half_native / half_emulated); a copy keeps it.
  const halfParts = dtype === base.dtype ? base.halfParts : undefined;
  // Split-KV built-ins prepend a lane part (subgroup or workgroup reductions); a copy keeps it.
  const laneParts = scheme === base.scheme ? base.laneParts : undefined;
  return {
    ...descriptor,
    ...(multiple !== undefined ? { headDimMultiple: multiple } : {}),
    ...(matrix !== undefined && scheme === 'subgroup-matrix' ? { matrix } : {}),
    ...(halfParts !== undefined ? { halfParts } : {}),
    ...(laneParts !== undefined ? { laneParts } : {}),
  };
}

/** The header line "Edit copy" puts above a built-in's source. */
export function copyHeader(builtinId: string): string {
  return `// @attnlab like=${builtinId}`;
}
