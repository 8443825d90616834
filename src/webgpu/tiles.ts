/**
 * Tile selection from the adapter's limits: workgroup sizes bounded by the invocation limits,
 * K/V tile rows by maxComputeWorkgroupStorageSize, subgroup lanes per row by the subgroup
 * sizes. The chosen numbers are baked into the shader preamble and recorded in the result.
 */
import type { KernelDescriptor, MatrixLayout } from '../../shaders/index.ts';
import { kvHeadsOf, kvSeqLenOf } from '../model/index.ts';
import type { AttentionConfig } from '../model/index.ts';
import { planSplitKv } from './tiles-split.ts';
import type { DeviceTraits } from './device.ts';
import { EngineError } from './errors.ts';

/** A kernel specialised for a head dim and a device. */
export interface KernelPlan {
  /** The kernel. */
  kernel: KernelDescriptor;
  /** Head dim it was specialised for. */
  headDim: number;
  /** WGSL files, in order. */
  files: string[];
  /** Constants of the preamble (`const NAME: u32 = …`). */
  consts: Record<string, number>;
  /** Parameters recorded in the result's `target.kernelParams`. */
  params: Record<string, string | number | boolean>;
  /** Workgroup size of every entry point (invocations). */
  workgroupSize: number;
  /** True when an f16 kernel uses native f16 math. */
  nativeF16: boolean;
}

/** Tile sizes before the device's limits cut them down. */
export interface TilePreset {
  /** Query rows per workgroup (row-per-invocation kernels). */
  rows: number;
  /** Largest K/V tile, rows. */
  keyRows: number;
  /** Workgroup size of naive kernels. */
  naiveWorkgroup: number;
  /** Workgroup size of lanes-per-row kernels. */
  subgroupWorkgroup: number;
  /** Most subgroup lanes per query row, or per key in split-KV kernels (1: no subgroup sums). */
  lanes: number;
  /** Subgroups per workgroup of subgroup-matrix kernels (16 query rows each). */
  matrixSubgroups: number;
  /** Largest K/V tile of subgroup-matrix kernels, keys (at least 16). */
  matrixKeyRows: number;
  /** Workgroup size of split-KV (decode) kernels. */
  decodeWorkgroup: number;
  /** Keys per chunk of split-KV kernels (one workgroup's share of Skv). */
  decodeKeys: number;
  /** Query rows per workgroup of split-KV kernels (of the H/Hkv·S rows sharing a K/V head). */
  decodeRows: number;
}

/** Preset for GPUs. */
export const GPU_TILES: TilePreset = {
  rows: 64,
  keyRows: 32,
  naiveWorkgroup: 256,
  subgroupWorkgroup: 256,
  lanes: 8,
  matrixSubgroups: 4,
  // 16 keys per tile measured fastest on the H100 for both subgroup-matrix kernels and both head
  // dims (BENCHMARKS.md, issue 8 sweep): 1.4–2.3× the 32- and 64-key tiles.
  matrixKeyRows: 16,
  // Decode: 256-key chunks give (8,32,8,1,8192,128) 2048 workgroups of 128 invocations; 8 rows
  // hold Llama's 4 query heads per K/V head (S = 1) and MQA's 32 in 4 blocks.
  decodeWorkgroup: 128,
  decodeKeys: 256,
  decodeRows: 8,
};
/**
 * Preset for CPU implementations (SwiftShader): their compilers unroll the BC×D loops, and a
 * 32-row K tile at D=128 takes ~30 s to compile there; 8 rows take ~4 s.
 */
export const SOFTWARE_TILES: TilePreset = {
  rows: 16,
  keyRows: 8,
  naiveWorkgroup: 64,
  subgroupWorkgroup: 64,
  lanes: 8,
  matrixSubgroups: 4,
  matrixKeyRows: 16,
  // Fewer, larger workgroups: SwiftShader pays per workgroup and per barrier.
  decodeWorkgroup: 64,
  decodeKeys: 128,
  decodeRows: 8,
};

/** User overrides of the preset (each a power of two; the device's limits still apply). */
export type TileOverrides = Partial<TilePreset>;

const MIN_KEY_ROWS = 4;

/**
 * The preset for a device, then a kernel's preferred tiles, then the user's overrides (which win);
 * a bad override is refused naming it.
 */
export function tilePreset(
  traits: DeviceTraits,
  overrides: TileOverrides = {},
  preferred: TileOverrides = {},
): TilePreset {
  const preset = { ...(traits.software ? SOFTWARE_TILES : GPU_TILES) };
  for (const [name, value] of Object.entries(preferred) as [keyof TilePreset, number][]) {
    preset[name] = value;
  }
  for (const [name, value] of Object.entries(overrides) as [
    keyof TilePreset,
    number | undefined,
  ][]) {
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 1 || value > 1024 || (value & (value - 1)) !== 0) {
      throw new EngineError(
        'bad-config',
        `tiles.${name}: must be a power of two in 1..1024 (got ${value})`,
      );
    }
    preset[name] = value;
  }
  return preset;
}

export function largestPow2AtMost(x: number): number {
  return x < 1 ? 0 : 2 ** Math.floor(Math.log2(x));
}

/** K/V rows per tile: the largest power of two ≤ the preset whose two tiles fit workgroup memory. */
function keyRows(
  kernel: KernelDescriptor,
  headDim: number,
  bytesPerElement: number,
  traits: DeviceTraits,
  preset: TilePreset,
  reserved = 0,
): number {
  const storage = traits.limits.maxComputeWorkgroupStorageSize - reserved;
  const fit = largestPow2AtMost(storage / (2 * headDim * bytesPerElement));
  const rows = Math.min(preset.keyRows, fit);
  if (rows < Math.min(MIN_KEY_ROWS, preset.keyRows)) {
    throw new EngineError(
      'too-large-for-device',
      `config.headDim: ${kernel.id} at D=${headDim} needs ${2 * MIN_KEY_ROWS * headDim * bytesPerElement + reserved} bytes of workgroup memory for its smallest K/V tiles, but maxComputeWorkgroupStorageSize is ${traits.limits.maxComputeWorkgroupStorageSize}`,
    );
  }
  return rows;
}

/** Largest workgroup size ≤ `wanted` the device allows. */
export function workgroupCap(wanted: number, traits: DeviceTraits): number {
  return largestPow2AtMost(
    Math.min(
      wanted,
      traits.limits.maxComputeInvocationsPerWorkgroup,
      traits.limits.maxComputeWorkgroupSizeX,
    ),
  );
}

/**
 * Workgroup bytes of a subgroup-matrix kernel in its layout (see MatrixLayout): the K/V region
 * (halves; it first stages Q rows), f32 scores and f16 probabilities (two parts for the f32x3
 * split), and the 16-byte rescale flag. Must match the kernel's `var<workgroup>` declarations
 * (shaders/sgmat-layout.test.ts checks both).
 */
export function subgroupMatrixBytes(
  layout: MatrixLayout['layout'],
  split: boolean,
  headDim: number,
  subgroups: number,
  keys: number,
): { bytes: number; kvHalves: number } {
  const parts = split ? 2 : 1;
  const kvTiles = split ? 4 : 2;
  if (layout === 'packed') {
    const kvHalves = Math.max(kvTiles * keys * headDim, 16 * subgroups * headDim);
    const block = subgroups * 16 * keys;
    return { bytes: 2 * kvHalves + 4 * block + parts * 2 * block + 16, kvHalves };
  }
  const rowHalves = headDim + 8;
  const kvHalves = Math.max(kvTiles * keys, 16 * Math.min(subgroups, 4)) * rowHalves;
  const scores =
    layout === 'padded' ? subgroups * 16 * (keys + 4) : subgroups * keys * SCORE_COLUMN_STRIDE;
  const probabilities =
    layout === 'padded' ? subgroups * 16 * (keys + 8) : subgroups * keys * PROB_COLUMN_STRIDE;
  return { bytes: 2 * kvHalves + 4 * scores + parts * 2 * probabilities + 16, kvHalves };
}

/** `padded-colmajor`: floats between score columns, halves between probability columns. */
const SCORE_COLUMN_STRIDE = 20;
const PROB_COLUMN_STRIDE = 40;

function planSubgroupMatrix(
  kernel: KernelDescriptor,
  headDim: number,
  traits: DeviceTraits,
  preset: TilePreset,
  files: string[],
): KernelPlan {
  const sgs = 32; // registry.ts refuses adapters whose subgroup size is not fixed at 32
  const split = kernel.dtype === 'f32';
  const layout = kernel.matrix?.layout ?? 'packed';
  const limit = traits.limits.maxComputeWorkgroupStorageSize;
  const size = (sg: number, bc: number) => subgroupMatrixBytes(layout, split, headDim, sg, bc);
  let sg = Math.max(1, preset.matrixSubgroups);
  while (sg > 1 && sg * sgs > workgroupCap(sg * sgs, traits)) sg /= 2;
  let bc = Math.max(16, preset.matrixKeyRows);
  while (bc > 16 && size(sg, bc).bytes > limit) bc /= 2;
  while (sg > 1 && size(sg, bc).bytes > limit) sg /= 2;
  const { bytes, kvHalves } = size(sg, bc);
  if (bytes > limit) {
    throw new EngineError(
      'too-large-for-device',
      `config.headDim: ${kernel.id} at D=${headDim} needs ${bytes} bytes of workgroup memory for its smallest tiles, but maxComputeWorkgroupStorageSize is ${limit}`,
    );
  }
  const wg = sg * sgs;
  const params: KernelPlan['params'] = {
    Br: 16 * sg,
    Bc: bc,
    workgroupSize: wg,
    subgroups: sg,
    matrix: '16x16x16 f16→f32',
    workgroupBytes: bytes,
  };
  if (split) params.products = '3×f16 (hi·hi + hi·lo + lo·hi)';
  if (layout !== 'packed') params.layout = layout;
  return {
    kernel,
    headDim,
    files,
    consts: { D: headDim, SG: sg, SGS: sgs, BC: bc, KV_LEN: kvHalves },
    params,
    workgroupSize: wg,
    nativeF16: true,
  };
}

/** Chooses the tile parameters of a kernel for a head dim on a device. */
export function planKernel(
  kernel: KernelDescriptor,
  headDim: number,
  traits: DeviceTraits,
  overrides: TileOverrides = {},
): KernelPlan {
  const preset = tilePreset(traits, overrides, kernel.matrix?.tiles);
  const nativeF16 = kernel.halfParts !== undefined && traits.features.has('shader-f16');
  const files = kernel.halfParts
    ? [nativeF16 ? kernel.halfParts.native : kernel.halfParts.emulated, kernel.file]
    : [kernel.file];
  switch (kernel.scheme) {
    case 'naive': {
      const wg = workgroupCap(preset.naiveWorkgroup, traits);
      return {
        kernel,
        headDim,
        files,
        consts: { D: headDim, WG: wg },
        params: { workgroupSize: wg },
        workgroupSize: wg,
        nativeF16,
      };
    }
    case 'row-per-invocation': {
      const br = workgroupCap(preset.rows, traits);
      // Tiles hold T: f16 only when the kernel really computes in f16.
      const bc = keyRows(kernel, headDim, nativeF16 ? 2 : 4, traits, preset);
      const params: KernelPlan['params'] = {
        Br: br,
        Bc: bc,
        workgroupSize: br,
        rowsPerInvocation: 1,
      };
      if (kernel.dtype === 'f16') params.math = nativeF16 ? 'f16' : 'f32 (no shader-f16)';
      return {
        kernel,
        headDim,
        files,
        consts: { D: headDim, BR: br, BC: bc },
        params,
        workgroupSize: br,
        nativeF16,
      };
    }
    case 'subgroup-matrix':
      return planSubgroupMatrix(kernel, headDim, traits, preset, files);
    case 'split-kv':
      return planSplitKv(kernel, headDim, traits, preset, nativeF16);
    case 'lanes-per-row': {
      const sgMin = traits.subgroupMinSize ?? 4;
      const sgMax = traits.subgroupMaxSize ?? 128;
      // L lanes per row: a power of two ≤ the smallest subgroup, with D/L a whole number of vec4s.
      let lanes = Math.min(largestPow2AtMost(sgMin), preset.lanes);
      while (lanes > 1 && headDim % (4 * lanes) !== 0) lanes /= 2;
      const wg = workgroupCap(preset.subgroupWorkgroup, traits);
      if (wg < sgMax || wg % sgMax !== 0) {
        throw new EngineError(
          'unsupported',
          `kernel: ${kernel.id} needs a workgroup of whole subgroups, but the subgroup size may be ${sgMax} and the largest workgroup here is ${wg}`,
        );
      }
      const bc = keyRows(kernel, headDim, 4, traits, preset, 4); // 4 bytes: the subgroup counter
      return {
        kernel,
        headDim,
        files,
        consts: { D: headDim, L: lanes, WG: wg, BC: bc },
        params: {
          Br: wg / lanes,
          Bc: bc,
          workgroupSize: wg,
          lanesPerRow: lanes,
          subgroupMin: sgMin,
          subgroupMax: sgMax,
        },
        workgroupSize: wg,
        nativeF16,
      };
    }
  }
}

/** Workgroups each entry point needs for one launch on a config (before folding into x·y). */
export function workgroupCounts(plan: KernelPlan, config: AttentionConfig): number[] {
  const bh = config.batch * config.heads;
  const s = config.seqLen;
  const d = config.headDim;
  const wg = plan.workgroupSize;
  const skv = kvSeqLenOf(config);
  if (plan.kernel.scheme === 'naive') {
    return [Math.ceil((bh * s * skv) / wg), Math.ceil((bh * s) / wg), Math.ceil((bh * s * d) / wg)];
  }
  if (plan.kernel.scheme === 'split-kv') {
    const group = config.heads / kvHeadsOf(config);
    const rowBlocks = Math.ceil((group * s) / (plan.consts.R ?? 1));
    const kvHeads = config.batch * kvHeadsOf(config);
    return [kvHeads * rowBlocks * splitChunks(plan, config), Math.ceil((bh * s * d) / 4 / wg)];
  }
  const rows =
    plan.kernel.scheme === 'lanes-per-row'
      ? wg / (plan.consts.L ?? 1)
      : plan.kernel.scheme === 'subgroup-matrix'
        ? 16 * (plan.consts.SG ?? 1)
        : wg;
  return [bh * Math.ceil(s / rows)];
}

/** Chunks of C keys a split-KV kernel cuts Skv into (one workgroup each per row block). */
export function splitChunks(plan: KernelPlan, config: AttentionConfig): number {
  return Math.ceil(kvSeqLenOf(config) / (plan.consts.C ?? 1));
}

/**
 * Folds a workgroup count into an x·y grid: one dimension holds at most `maxPerDimension`
 * workgroups, and the shaders rebuild the linear id as x + y·(grid width).
 */
export function foldWorkgroups(total: number, maxPerDimension: number): [number, number] {
  const x = Math.min(total, maxPerDimension);
  const y = Math.ceil(total / x);
  if (y > maxPerDimension) {
    throw new EngineError(
      'too-large-for-device',
      `the launch needs ${total} workgroups, more than ${maxPerDimension}² (maxComputeWorkgroupsPerDimension²)`,
    );
  }
  return [x, y];
}
