/**
 * Tiled flash attention, one visible step at a time, in f64: for each query tile, stream the
 * key/value tiles, compute the score tile, update the running max m and running sum l (online
 * softmax), rescale and accumulate the partial output, and finally normalise. The arithmetic is
 * the tiled kernels' (shaders/, native-runner/cuda/), so the Learn view shows what they do; its
 * final output is tested against the naive f64 reference the engines are checked against.
 */
import type { StepProblem, TileSizes } from './steps-problem.ts';
import { validateTiles } from './steps-problem.ts';
import {
  ELEMENT_BYTES,
  keyTileBytes,
  queryStateBytes,
  tileCount,
  tileRange,
  visitedKeyTiles,
  type Range,
  type TrafficShape,
} from './steps-traffic.ts';
import { explainStep } from './steps-text.ts';

/** What a step does; the steps of one (query tile, key tile) pair come in this order. */
export type StepKind = 'load-q' | 'scores' | 'max' | 'sum' | 'output' | 'skip' | 'normalise';

/** The work on one (query tile, key tile) pair, revealed over its four steps. */
export interface TileWork {
  /** Index j of the key/value tile. */
  keyTile: number;
  /** Key rows of the tile. */
  cols: Range;
  /** Score tile scale·q·k, rows × cols; −∞ where masked (causal). */
  scores: number[][];
  /** Largest score of each row in this tile (−∞ when the whole row is masked). */
  rowMax: number[];
  /** Running max of each row before this tile. */
  mPrev: number[];
  /** Running sum of each row before this tile. */
  lPrev: number[];
  /** Rescale factor α = exp(m_prev − m_new) applied to l and to the partial output. */
  alpha: number[];
  /** Weights p = exp(s − m_new), rows × cols; 0 where masked. */
  probs: number[][];
}

/** Bytes counted so far by the tiled kernel, and what it holds on chip at this step. */
export interface StepTraffic {
  /** Bytes read from device memory up to and including this step. */
  bytesRead: number;
  /** Bytes written to device memory up to and including this step. */
  bytesWritten: number;
  /** Bytes held on chip during this step. */
  onChipBytes: number;
}

/** Fields every step carries: where the kernel is and its state after the step. */
export interface StepCommon {
  /** Position in the step list, from 0. */
  index: number;
  /** Index i of the query tile. */
  queryTile: number;
  /** Query rows of the tile. */
  rows: Range;
  /** Running max m of each row of the tile after this step. */
  m: number[];
  /** Running sum l of each row of the tile after this step. */
  l: number[];
  /** Unnormalised partial output Õ of the tile after this step, rows × D. */
  acc: number[][];
  /** Query rows 0..rowsDone−1 have their final output written after this step. */
  rowsDone: number;
  /** Traffic counters after this step. */
  traffic: StepTraffic;
  /** One or two plain sentences saying what happened. */
  text: string;
}

/** One step of the tiled computation; a tagged union on `kind`. */
export type FlashStep =
  | (StepCommon & { kind: 'load-q' | 'normalise' })
  | (StepCommon & { kind: 'scores' | 'max' | 'sum' | 'output'; tile: TileWork })
  | (StepCommon & { kind: 'skip'; skipped: Range });

/** A step without its explanation (steps-text.ts writes that from these fields). */
export type UnexplainedStep = WithoutText<FlashStep>;

/** Omit that distributes over a union, so each member keeps its own `kind` and fields. */
type WithoutText<S> = S extends unknown ? Omit<S, 'text'> : never;

/** The whole step-through: every step and the final output. */
export interface StepTrace {
  /** The problem stepped through. */
  problem: StepProblem;
  /** The tile sizes used. */
  tiles: TileSizes;
  /** Every step, in order. */
  steps: FlashStep[];
  /** The final output O, S·D values row-major, as the tiled computation produced it. */
  output: Float64Array;
  /** Index of the first step of each (query tile, key tile) pair, keyed `i,j`, and `i` alone. */
  tileStart: Map<string, number>;
}

/** Scaled dot product of query row `r` and key row `c`: the one score formula every view uses. */
export function score(problem: StepProblem, r: number, c: number): number {
  const d = problem.headDim;
  let dot = 0;
  for (let x = 0; x < d; x++) dot += (problem.q[r * d + x] ?? 0) * (problem.k[c * d + x] ?? 0);
  return dot * problem.scale;
}

/** Whether query row `r` may see key `c`. */
export function visible(problem: StepProblem, r: number, c: number): boolean {
  return !problem.causal || c <= r;
}

function tileWork(
  problem: StepProblem,
  rows: Range,
  keyTile: number,
  cols: Range,
  m: number[],
  l: number[],
): TileWork {
  const scores: number[][] = [];
  for (let r = rows.start; r < rows.end; r++) {
    const line: number[] = [];
    for (let c = cols.start; c < cols.end; c++) {
      line.push(visible(problem, r, c) ? score(problem, r, c) : -Infinity);
    }
    scores.push(line);
  }
  const rowMax = scores.map((line) => Math.max(...line));
  const mNew = rowMax.map((x, a) => Math.max(m[a] ?? -Infinity, x));
  // exp(−∞ − (−∞)) would be NaN; a row with nothing seen yet has nothing to rescale.
  const alpha = mNew.map((mn, a) => (mn === -Infinity ? 1 : Math.exp((m[a] ?? -Infinity) - mn)));
  const probs = scores.map((line, a) =>
    line.map((s) => (s === -Infinity ? 0 : Math.exp(s - (mNew[a] ?? 0)))),
  );
  return { keyTile, cols, scores, rowMax, mPrev: [...m], lPrev: [...l], alpha, probs };
}

/** Generates every step of tiled flash attention for `problem` with the given tile sizes. */
export function generateSteps(problem: StepProblem, tileSizes: TileSizes): StepTrace {
  const tiles = validateTiles(tileSizes);
  const { seqLen: s, headDim: d } = problem;
  const shape: TrafficShape = { seqLen: s, headDim: d, causal: problem.causal, ...tiles };
  const steps: FlashStep[] = [];
  const tileStart = new Map<string, number>();
  const output = new Float64Array(s * d);
  let bytesRead = 0;
  let bytesWritten = 0;
  let rowsDone = 0;

  const push = (step: UnexplainedStep): void => {
    steps.push({ ...step, text: explainStep(step, problem, tiles) });
  };

  for (let i = 0; i < tileCount(s, tiles.queryTile); i++) {
    const rows = tileRange(i, tiles.queryTile, s);
    const n = rows.end - rows.start;
    const qBytes = queryStateBytes(n, d);
    let m = new Array<number>(n).fill(-Infinity);
    let l = new Array<number>(n).fill(0);
    let acc = Array.from({ length: n }, () => new Array<number>(d).fill(0));
    tileStart.set(String(i), steps.length);
    bytesRead += n * d * ELEMENT_BYTES;
    const common = () => ({ index: steps.length, queryTile: i, rows, m, l, acc, rowsDone });
    push({
      ...common(),
      kind: 'load-q',
      traffic: { bytesRead, bytesWritten, onChipBytes: qBytes },
    });

    const visited = visitedKeyTiles(shape, rows);
    for (let j = 0; j < visited; j++) {
      const cols = tileRange(j, tiles.keyTile, s);
      const tile = tileWork(problem, rows, j, cols, m, l);
      const onChipBytes = qBytes + keyTileBytes(n, cols.end - cols.start, d);
      tileStart.set(`${i},${j}`, steps.length);
      bytesRead += 2 * (cols.end - cols.start) * d * ELEMENT_BYTES;
      const traffic = { bytesRead, bytesWritten, onChipBytes };
      push({ ...common(), kind: 'scores', tile, traffic });
      m = tile.rowMax.map((x, a) => Math.max(tile.mPrev[a] ?? -Infinity, x));
      push({ ...common(), kind: 'max', tile, traffic });
      l = tile.probs.map(
        (line, a) => (tile.alpha[a] ?? 1) * (tile.lPrev[a] ?? 0) + line.reduce((x, y) => x + y, 0),
      );
      push({ ...common(), kind: 'sum', tile, traffic });
      acc = acc.map((line, a) =>
        line.map((o, x) => {
          let pv = 0;
          const p = tile.probs[a] ?? [];
          for (let b = 0; b < p.length; b++) {
            pv += (p[b] ?? 0) * (problem.v[(cols.start + b) * d + x] ?? 0);
          }
          return (tile.alpha[a] ?? 1) * o + pv;
        }),
      );
      push({ ...common(), kind: 'output', tile, traffic });
    }

    const allTiles = tileCount(s, tiles.keyTile);
    if (visited < allTiles) {
      push({
        ...common(),
        kind: 'skip',
        skipped: { start: visited, end: allTiles },
        traffic: { bytesRead, bytesWritten, onChipBytes: qBytes },
      });
    }

    acc.forEach((line, a) => {
      line.forEach((o, x) => {
        output[(rows.start + a) * d + x] = o / (l[a] ?? 1);
      });
    });
    bytesWritten += n * d * ELEMENT_BYTES;
    rowsDone = rows.end;
    push({
      ...common(),
      kind: 'normalise',
      traffic: { bytesRead, bytesWritten, onChipBytes: qBytes },
    });
  }
  return { problem, tiles, steps, output, tileStart };
}
