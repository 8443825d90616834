/**
 * Memory traffic of naive vs tiled attention, per (batch, head), in f32 elements: the napkin math
 * behind "flash attention is fast because it never writes the S×S matrix". The Learn view's live
 * counter and its extrapolation to real sizes both come from these formulas, and the step
 * generator counts its bytes with the same per-tile helpers, so the totals agree by construction.
 */
import {
  attentionBytes,
  attentionFlops,
  dtypeBytes,
  estimateMemory,
  type AttentionConfig,
} from '../model/index.ts';

/** Bytes per element the counters assume (f32, like the WebGPU kernels and the naive-f32 one). */
export const ELEMENT_BYTES = dtypeBytes('f32');

/** The sizes that decide the traffic. */
export interface TrafficShape {
  /** Sequence length S. */
  seqLen: number;
  /** Head dimension D. */
  headDim: number;
  /** Causal masking (the tiled kernel skips key tiles past the diagonal). */
  causal: boolean;
  /** Br: query rows per tile. */
  queryTile: number;
  /** Bc: key/value rows per tile. */
  keyTile: number;
}

/** Bytes moved and working storage of one method. */
export interface MethodTraffic {
  /** Bytes read from device memory (HBM). */
  bytesRead: number;
  /** Bytes written to device memory (HBM). */
  bytesWritten: number;
  /**
   * Part of bytesRead that loads data already read before: the tiled kernel re-reads K and V for
   * every query tile (cache-friendly: they are only 2·S·D values); the naive passes read each
   * operand once.
   */
  rereadBytes: number;
  /** Largest intermediate storage the method needs at once, in bytes. */
  peakStorageBytes: number;
  /** Where that storage lives: the S×S matrix cannot fit on chip, the tiles do. */
  storage: 'off-chip' | 'on-chip';
}

/** Naive vs tiled for one shape, with the benchmark's two numbers for the same shape. */
export interface TrafficComparison {
  /** The shape compared. */
  shape: TrafficShape;
  /** Materialise S = Q·Kᵀ, softmax it in place, multiply by V (three passes over HBM). */
  naive: MethodTraffic;
  /** Flash attention: stream K/V tiles past each query tile, keep everything else on chip. */
  tiled: MethodTraffic;
  /** Minimal bytes (read Q, K, V, write O once) — the denominator of the benchmark's GB/s. */
  minimalBytes: number;
  /** FLOPs of the forward pass (causal: only the unmasked pairs, counted exactly). */
  flops: number;
  /** Bytes of K and V together: what the tiled kernel re-reads, small enough for an L2 cache. */
  keyValueBytes: number;
}

/** The real size the Learn view extrapolates to, with tile sizes typical of a D = 128 kernel. */
export const REAL_SHAPE = { seqLen: 4096, headDim: 128, queryTile: 128, keyTile: 64 } as const;

/** Half-open index range [start, end). */
export interface Range {
  /** First index. */
  start: number;
  /** One past the last index. */
  end: number;
}

/** The rows of tile `index` of size `size` over `length` rows (the last tile may be short). */
export function tileRange(index: number, size: number, length: number): Range {
  const start = index * size;
  return { start, end: Math.min(length, start + size) };
}

/** Number of tiles of size `size` covering `length` rows. */
export function tileCount(length: number, size: number): number {
  return Math.ceil(length / size);
}

/**
 * Key tiles a query tile visits: all of them, or with causal masking only those that start at or
 * before the tile's last query row (later tiles are entirely masked and skipped).
 */
export function visitedKeyTiles(shape: TrafficShape, rows: Range): number {
  const all = tileCount(shape.seqLen, shape.keyTile);
  if (!shape.causal) return all;
  return Math.min(all, Math.floor((rows.end - 1) / shape.keyTile) + 1);
}

/** On-chip bytes of a query tile's own state: the Q rows, the output accumulator, m and l. */
export function queryStateBytes(rows: number, headDim: number): number {
  return (2 * rows * headDim + 2 * rows) * ELEMENT_BYTES;
}

/** On-chip bytes of one streamed key tile: its K and V rows and the rows×cols score tile. */
export function keyTileBytes(rows: number, cols: number, headDim: number): number {
  return (2 * cols * headDim + rows * cols) * ELEMENT_BYTES;
}

/** A config for the cost model: one batch, one head, f32 (Learn sizes may be below its minimums). */
function costConfig(shape: TrafficShape): AttentionConfig {
  // Built directly rather than through validateConfig: the teaching problem allows D < 8, which
  // the benchmark refuses, but the cost formulas hold for any size.
  return {
    batch: 1,
    heads: 1,
    seqLen: shape.seqLen,
    headDim: shape.headDim,
    causal: shape.causal,
    dtype: 'f32',
  };
}

/**
 * Naive traffic: write the S×S scores, read them back for the softmax and write the
 * probabilities, read those for P·V. Each tensor is counted once per pass (ideal caching), and
 * the full matrix is computed even when causal, as a naive implementation does.
 */
export function naiveTraffic(shape: TrafficShape): MethodTraffic {
  const { seqLen: s, headDim: d } = shape;
  const square = s * s;
  return {
    bytesRead: (3 * s * d + 2 * square) * ELEMENT_BYTES,
    bytesWritten: (2 * square + s * d) * ELEMENT_BYTES,
    rereadBytes: 0,
    // The probabilities overwrite the scores in place, so one S×S buffer is the peak.
    peakStorageBytes:
      estimateMemory(costConfig(shape), 'cpu', { materializesScores: true }).parts.scores ?? 0,
    storage: 'off-chip',
  };
}

/**
 * Tiled traffic: each query tile reads its Q rows once, streams the K and V tiles it visits, and
 * writes its output rows once. On chip it holds one query tile's state and one key tile.
 */
export function tiledTraffic(shape: TrafficShape): MethodTraffic {
  const { seqLen: s, headDim: d } = shape;
  let keyRowsRead = 0;
  for (let i = 0; i < tileCount(s, shape.queryTile); i++) {
    const rows = tileRange(i, shape.queryTile, s);
    const visited = visitedKeyTiles(shape, rows);
    keyRowsRead += Math.min(s, visited * shape.keyTile);
  }
  const br = Math.min(shape.queryTile, s);
  const bc = Math.min(shape.keyTile, s);
  return {
    bytesRead: (s * d + 2 * keyRowsRead * d) * ELEMENT_BYTES,
    bytesWritten: s * d * ELEMENT_BYTES,
    rereadBytes: 2 * (keyRowsRead - s) * d * ELEMENT_BYTES,
    peakStorageBytes: queryStateBytes(br, d) + keyTileBytes(br, bc, d),
    storage: 'on-chip',
  };
}

/** Naive vs tiled for a shape, plus the cost model's minimal bytes and FLOPs. */
export function compareTraffic(shape: TrafficShape): TrafficComparison {
  const config = costConfig(shape);
  return {
    shape,
    naive: naiveTraffic(shape),
    tiled: tiledTraffic(shape),
    minimalBytes: attentionBytes(config),
    flops: attentionFlops(config),
    keyValueBytes: 2 * shape.seqLen * shape.headDim * ELEMENT_BYTES,
  };
}
