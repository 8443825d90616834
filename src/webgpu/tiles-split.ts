/**
 * Tile selection of split-KV (decode) kernels: lanes per key from the subgroup sizes (1 without
 * `subgroups`), the workgroup size, and the chunk of keys and block of query rows a workgroup
 * owns, cut down until its workgroup memory fits the adapter's limit.
 */
import type { KernelDescriptor } from '../../shaders/index.ts';
import type { DeviceTraits } from './device.ts';
import { EngineError } from './errors.ts';
import { largestPow2AtMost, workgroupCap } from './tiles.ts';
import type { KernelPlan, TilePreset } from './tiles.ts';

/** Smallest chunk of keys a split-KV workgroup is given before the plan gives up on memory. */
const MIN_DECODE_KEYS = 8;

/**
 * Workgroup bytes of a split-KV kernel; must match its `var<workgroup>` declarations: the Q rows
 * (T), the scores (f32, R×C), the f32 and vec4<f32> reduction arrays (WG each) and the subgroup
 * counter of the lane part.
 */
export function splitKvBytes(
  headDim: number,
  tBytes: number,
  rows: number,
  keys: number,
  workgroup: number,
): number {
  return rows * headDim * tBytes + rows * keys * 4 + workgroup * (4 + 16) + 4;
}

/** Lanes per key: a power of two ≤ the smallest subgroup dividing D/4; 1 without subgroups. */
function lanesPerKey(
  headDim: number,
  wg: number,
  traits: DeviceTraits,
  preset: TilePreset,
): number {
  const sgMin = traits.subgroupMinSize;
  const sgMax = traits.subgroupMaxSize;
  // The lane part numbers whole subgroups, so the workgroup must hold whole subgroups.
  if (!traits.features.has('subgroups') || sgMin === null || sgMax === null) return 1;
  if (wg < sgMax || wg % sgMax !== 0) return 1;
  let lanes = Math.min(largestPow2AtMost(sgMin), preset.lanes);
  while (lanes > 1 && (headDim / 4) % lanes !== 0) lanes /= 2;
  return Math.max(lanes, 1);
}

/** Plans a split-KV kernel for a head dim on a device. */
export function planSplitKv(
  kernel: KernelDescriptor,
  headDim: number,
  traits: DeviceTraits,
  preset: TilePreset,
  nativeF16: boolean,
): KernelPlan {
  const wg = workgroupCap(preset.decodeWorkgroup, traits);
  const lanes = lanesPerKey(headDim, wg, traits, preset);
  const tBytes = nativeF16 ? 2 : 4;
  const limit = traits.limits.maxComputeWorkgroupStorageSize;
  let rows = Math.max(1, Math.min(largestPow2AtMost(preset.decodeRows), wg));
  let keys = Math.max(MIN_DECODE_KEYS, largestPow2AtMost(preset.decodeKeys));
  const bytes = () => splitKvBytes(headDim, tBytes, rows, keys, wg);
  while (keys > MIN_DECODE_KEYS && bytes() > limit) keys /= 2;
  while (rows > 1 && bytes() > limit) rows /= 2;
  if (bytes() > limit) {
    throw new EngineError(
      'too-large-for-device',
      `config.headDim: ${kernel.id} at D=${headDim} needs ${bytes()} bytes of workgroup memory for its smallest tiles, but maxComputeWorkgroupStorageSize is ${limit}`,
    );
  }
  const files = [
    ...(kernel.halfParts ? [nativeF16 ? kernel.halfParts.native : kernel.halfParts.emulated] : []),
    ...(kernel.laneParts
      ? [lanes > 1 ? kernel.laneParts.subgroup : kernel.laneParts.workgroup]
      : []),
    kernel.file,
  ];
  const params: KernelPlan['params'] = {
    workgroupSize: wg,
    keysPerChunk: keys,
    rowsPerWorkgroup: rows,
    lanesPerKey: lanes,
    reductions: lanes > 1 ? 'subgroup (scores) + workgroup (row statistics)' : 'workgroup',
    workgroupBytes: bytes(),
  };
  if (kernel.dtype === 'f16') params.math = nativeF16 ? 'f16' : 'f32 (no shader-f16)';
  return {
    kernel,
    headDim,
    files,
    consts: { D: headDim, WG: wg, L: lanes, C: keys, R: rows },
    params,
    workgroupSize: wg,
    nativeF16,
  };
}
