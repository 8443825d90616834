/**
 * The naive method beside the step-through: materialise the full S×S score matrix, softmax each
 * row, multiply by V. Its output is the f64 reference the engines are checked against
 * (attention.ts), called with the same f32 values; only the matrices it shows are built here.
 */
import type { AttentionConfig } from '../model/index.ts';
import { referenceAttention } from './attention.ts';
import type { StepProblem } from './steps-problem.ts';
import { score, visible } from './steps.ts';

/** Everything the naive panel shows. */
export interface NaiveView {
  /** The S×S score matrix scale·Q·Kᵀ; −∞ where causal masking hides a key. */
  scores: number[][];
  /** Largest score of each full row (what the running max ends at). */
  rowMax: number[];
  /** Σ exp(s − rowMax) over each full row (what the running sum ends at). */
  rowSum: number[];
  /** The S×S softmax matrix P, each row summing to 1. */
  probs: number[][];
  /** O = P·V from the f64 reference, S·D values row-major. */
  output: Float64Array;
}

/** The problem as a config for the reference: one batch, one head, the problem's own scale. */
function referenceConfig(problem: StepProblem): AttentionConfig {
  // Built directly: the teaching problem allows D < 8, which validateConfig refuses for kernels,
  // and the reference computes any size.
  return {
    batch: 1,
    heads: 1,
    seqLen: problem.seqLen,
    headDim: problem.headDim,
    causal: problem.causal,
    dtype: 'f32',
    scale: problem.scale,
  };
}

/** The reference output for the problem (its values are f32 already, so nothing is rounded). */
export function referenceOutput(problem: StepProblem): Float64Array {
  return referenceAttention(referenceConfig(problem), {
    q: Float32Array.from(problem.q),
    k: Float32Array.from(problem.k),
    v: Float32Array.from(problem.v),
  });
}

/** Builds the naive panel's matrices and takes its output from the reference. */
export function naiveView(problem: StepProblem): NaiveView {
  const s = problem.seqLen;
  const scores: number[][] = [];
  for (let r = 0; r < s; r++) {
    const row: number[] = [];
    for (let c = 0; c < s; c++) row.push(visible(problem, r, c) ? score(problem, r, c) : -Infinity);
    scores.push(row);
  }
  const rowMax = scores.map((row) => Math.max(...row));
  const rowSum = scores.map((row, r) =>
    row.reduce((sum, x) => sum + (x === -Infinity ? 0 : Math.exp(x - (rowMax[r] ?? 0))), 0),
  );
  const probs = scores.map((row, r) =>
    row.map((x) => (x === -Infinity ? 0 : Math.exp(x - (rowMax[r] ?? 0)) / (rowSum[r] ?? 1))),
  );
  return { scores, rowMax, rowSum, probs, output: referenceOutput(problem) };
}

/** Largest |a − b| over two equally long arrays (how far the step-through is from the naive). */
export function maxAbsDifference(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  count = a.length,
): number {
  if (a.length < count || b.length < count) {
    throw new RangeError(`maxAbsDifference: need ${count} values, got ${a.length} and ${b.length}`);
  }
  let worst = 0;
  for (let i = 0; i < count; i++) worst = Math.max(worst, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return worst;
}
