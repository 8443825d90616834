/**
 * What a kernel is: one .wgsl file plus this small descriptor. The engine (src/webgpu) reads
 * descriptors to list kernels, check configs, choose tile sizes from the adapter's limits and
 * bind buffers; the WGSL stays in the .wgsl files.
 */

/**
 * How a kernel lays out work; the engine picks tile sizes per scheme.
 * `naive`: 1-D workgroups over elements, three entry points.
 * `row-per-invocation`: a workgroup owns BR query rows, one per invocation; K/V tiles of BC rows.
 * `lanes-per-row`: as above, but L subgroup lanes share a row.
 * `subgroup-matrix`: SG subgroups of 16 query rows each, products as 16×16 subgroup matrices.
 * `split-kv`: decode (flash-decoding): a workgroup per (K/V head, block of R query rows, chunk of
 * C keys) writes partial softmax statistics, a second entry combines the chunks.
 */
export type KernelScheme =
  'naive' | 'row-per-invocation' | 'lanes-per-row' | 'subgroup-matrix' | 'split-kv';

/** A kernel version. */
export interface KernelDescriptor {
  /** Kernel id used by the CLI, the lab and result files, e.g. `flash-f32`. */
  readonly id: string;
  /** One line the UI shows. */
  readonly description: string;
  /** Element type of Q, K, V and O. */
  readonly dtype: 'f32' | 'f16';
  /** Largest head dim supported; any multiple of 8 (or of headDimMultiple) up to it works. */
  readonly maxHeadDim: number;
  /** Head dims must be multiples of this (default 8; 16 for subgroup-matrix kernels). */
  readonly headDimMultiple?: number;
  /** Adapter features without which the kernel cannot run. */
  readonly requires: readonly GPUFeatureName[];
  /** Work layout (decides tile selection and dispatch size). */
  readonly scheme: KernelScheme;
  /** The kernel's .wgsl file, relative to shaders/. */
  readonly file: string;
  /** f16 kernels: the storage part prepended with (`native`) and without `shader-f16`. */
  readonly halfParts?: { readonly native: string; readonly emulated: string };
  /**
   * Split-KV kernels: the lane part prepended with `subgroups` (L lanes per key) and without it
   * (L = 1, one invocation per key).
   */
  readonly laneParts?: { readonly subgroup: string; readonly workgroup: string };
  /**
   * Why the kernel refuses grouped-query heads (kvHeads ≠ heads) and S ≠ Skv, as a sentence;
   * absent when it supports them.
   */
  readonly kvShapeRefusal?: string;
  /** Entry points dispatched per launch, in order. */
  readonly entries: readonly string[];
  /** True when the kernel stores the B·H·S×Skv score matrix (a scratch buffer). */
  readonly materializesScores: boolean;
  /** Subgroup-matrix kernels: workgroup-memory layout and preferred tiles (default: packed, preset). */
  readonly matrix?: MatrixLayout;
}

/**
 * Workgroup-memory layout of a subgroup-matrix kernel (tiles.ts sizes it; the WGSL declares it).
 * `packed`: rows D halves / BC values apart, the whole Q tile staged at once. `padded`: Q/K/V rows
 * D + 8 halves apart, scores BC + 4 floats, probabilities BC + 8 halves, Q staged 64 rows at a
 * time. `padded-colmajor`: as `padded`, but scores and probabilities column-major (columns 20
 * floats / 40 halves apart).
 */
export interface MatrixLayout {
  /** How the workgroup arrays are laid out. */
  readonly layout: 'packed' | 'padded' | 'padded-colmajor';
  /**
   * Preferred tiles, in place of the preset's (the user's tile overrides still win, and the
   * memory limit may lower them): subgroups per workgroup and keys per K/V tile.
   */
  readonly tiles?: { readonly matrixSubgroups?: number; readonly matrixKeyRows?: number };
}

/** WGSL sources by path relative to shaders/ (e.g. `flash-f32/flash_f32.wgsl`). */
export type ShaderSources = Readonly<Record<string, string>>;

/** Head dims a kernel supports: multiples of 8 (or of its headDimMultiple) up to its maximum. */
export function headDimsOf(kernel: KernelDescriptor): number[] {
  const step = kernel.headDimMultiple ?? 8;
  return Array.from({ length: Math.floor(kernel.maxHeadDim / step) }, (_, i) => (i + 1) * step);
}

/** The .wgsl files a kernel may need. */
export function filesOf(kernel: KernelDescriptor): string[] {
  const half = kernel.halfParts ? [kernel.halfParts.native, kernel.halfParts.emulated] : [];
  const lanes = kernel.laneParts ? [kernel.laneParts.subgroup, kernel.laneParts.workgroup] : [];
  return [...half, ...lanes, kernel.file];
}

const DIRECTIVE = /^\s*(enable|requires|diagnostic)\b[^;]*;\s*$/;

/** Where a line of a composed module came from (1-based line in a part), or null (engine-made). */
export type LineOrigin = { readonly file: string; readonly line: number } | null;

/** A composed module and, per line (index = line − 1), where it came from. */
export interface ComposedShader {
  /** The WGSL module handed to the compiler. */
  readonly code: string;
  /** Origin of each line of `code`, so compiler messages can name the part's own line. */
  readonly origins: readonly LineOrigin[];
}

/**
 * Joins WGSL parts into one module: directives (`enable …;`) from every part first, then the
 * baked `const` preamble, then the parts in order. A missing source is an error naming it.
 */
export function composeShader(
  sources: ShaderSources,
  files: readonly string[],
  consts: Readonly<Record<string, number>>,
): string {
  return composeShaderMapped(sources, files, consts).code;
}

/** composeShader, keeping the origin of every line (for compiler messages on user kernels). */
export function composeShaderMapped(
  sources: ShaderSources,
  files: readonly string[],
  consts: Readonly<Record<string, number>>,
): ComposedShader {
  const directives = new Map<string, LineOrigin>();
  const body: { text: string; origin: LineOrigin }[] = [];
  for (const file of files) {
    const text = sources[file];
    if (text === undefined) throw new Error(`shader source ${file} is missing from the loader`);
    body.push({ text: `// ---- ${file}`, origin: null });
    text.split('\n').forEach((line, i) => {
      const origin = { file, line: i + 1 };
      if (!DIRECTIVE.test(line)) body.push({ text: line, origin });
      else if (!directives.has(line.trim())) directives.set(line.trim(), origin);
    });
  }
  const preamble = Object.entries(consts).map(([name, value]) => {
    if (!Number.isInteger(value) || value < 0) {
      throw new Error(`shader constant ${name} must be a non-negative integer, got ${value}`);
    }
    return { text: `const ${name}: u32 = ${value}u;`, origin: null };
  });
  const lines = [
    ...[...directives].map(([text, origin]) => ({ text, origin })),
    { text: '// ---- baked by the engine', origin: null },
    ...preamble,
    ...body,
  ];
  return { code: lines.map((l) => l.text).join('\n'), origins: lines.map((l) => l.origin) };
}

/**
 * Why the subgroup-matrix kernels refuse grouped-query heads and S ≠ Skv: their 16-row Q blocks,
 * K/V staging and lazy rescale assume square per-head problems, and a change could not be tested
 * here (SwiftShader has no subgroup matrices).
 */
export const SGMAT_KV_SHAPE_REFUSAL =
  'supports only kvHeads = heads and kvSeqLen = seqLen: its subgroup-matrix tiles assume one K/V head per query head and as many keys as queries (use flash-f16, flash-f32 or a flash-decode kernel)';
