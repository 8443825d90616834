/**
 * The tiny attention problem the Learn view steps through: one batch, one head, f64 values small
 * enough to read on a projector. Built from a seed or from typed-in rows, validated here once so
 * the view and the tests see the same errors.
 */
import { ValidationError } from '../model/index.ts';
import { createRng } from '../stats/prng.ts';

/** Inclusive bounds of the teaching problem's sizes (shown verbatim in error messages). */
export const STEP_LIMITS = {
  seqLen: { min: 1, max: 64 },
  headDim: { min: 1, max: 16 },
  tile: { min: 1, max: 64 },
} as const;

/**
 * A tiny attention problem: softmax(Q·Kᵀ·scale)·V for one head, row-major [S, D]. The values are
 * f32 numbers (as the kernels see them) held in f64, and all arithmetic on them is f64.
 */
export interface StepProblem {
  /** Sequence length S (queries = keys). */
  seqLen: number;
  /** Head dimension D. */
  headDim: number;
  /** Causal masking: query row r sees keys 0..r only. */
  causal: boolean;
  /** Softmax scale actually used (1/√D unless given). */
  scale: number;
  /** Queries, S·D values, row-major. */
  q: Float64Array;
  /** Keys, S·D values, row-major. */
  k: Float64Array;
  /** Values, S·D values, row-major. */
  v: Float64Array;
}

/** Query and key tile sizes of the tiled kernel (Br rows of Q, Bc rows of K/V per tile). */
export interface TileSizes {
  /** Br: query rows per tile. */
  queryTile: number;
  /** Bc: key/value rows per tile. */
  keyTile: number;
}

/** What a seeded random problem needs. */
export interface RandomProblemSpec {
  /** Sequence length S. */
  seqLen: number;
  /** Head dimension D. */
  headDim: number;
  /** Causal masking. */
  causal: boolean;
  /** Seed of the random values (any safe integer). */
  seed: number;
  /** Softmax scale; absent means 1/√D. */
  scale?: number | undefined;
}

/** Typed-in rows of Q, K and V (each S rows of D numbers). */
export interface TypedProblemSpec {
  /** Query rows. */
  q: readonly (readonly number[])[];
  /** Key rows. */
  k: readonly (readonly number[])[];
  /** Value rows. */
  v: readonly (readonly number[])[];
  /** Causal masking. */
  causal: boolean;
  /** Softmax scale; absent means 1/√D. */
  scale?: number | undefined;
}

/** Range of the seeded random values: uniform in [-VALUE_RANGE, VALUE_RANGE), two decimals. */
export const VALUE_RANGE = 2;

function intIssue(
  field: string,
  value: number,
  limits: { readonly min: number; readonly max: number },
): string | null {
  if (Number.isInteger(value) && value >= limits.min && value <= limits.max) return null;
  return `${field}: must be an integer in ${limits.min}..${limits.max} (got ${value})`;
}

function scaleIssue(scale: number | undefined): string | null {
  if (scale === undefined || (Number.isFinite(scale) && scale > 0)) return null;
  return `scale: must be a finite number > 0 (got ${scale})`;
}

function throwIf(issues: (string | null)[]): void {
  const real = issues.filter((i): i is string => i !== null);
  if (real.length > 0) throw new ValidationError('invalid learn problem', real);
}

/** Checks tile sizes; throws a ValidationError naming the field and its range. */
export function validateTiles(tiles: TileSizes): TileSizes {
  throwIf([
    intIssue('queryTile', tiles.queryTile, STEP_LIMITS.tile),
    intIssue('keyTile', tiles.keyTile, STEP_LIMITS.tile),
  ]);
  return { queryTile: tiles.queryTile, keyTile: tiles.keyTile };
}

/**
 * A seeded random problem. Values are uniform in [-2, 2) rounded to two decimals (then to f32), so
 * they read well and can be copied into the typed-in form without changing the result.
 */
export function randomProblem(spec: RandomProblemSpec): StepProblem {
  throwIf([
    intIssue('seqLen', spec.seqLen, STEP_LIMITS.seqLen),
    intIssue('headDim', spec.headDim, STEP_LIMITS.headDim),
    Number.isSafeInteger(spec.seed) ? null : `seed: must be a safe integer (got ${spec.seed})`,
    scaleIssue(spec.scale),
  ]);
  const rng = createRng(spec.seed);
  const n = spec.seqLen * spec.headDim;
  const draw = (): Float64Array => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      out[i] = Math.fround(Math.round((rng.next() * 2 - 1) * VALUE_RANGE * 100) / 100);
    }
    return out;
  };
  const q = draw();
  const k = draw();
  const v = draw();
  return {
    seqLen: spec.seqLen,
    headDim: spec.headDim,
    causal: spec.causal,
    scale: spec.scale ?? 1 / Math.sqrt(spec.headDim),
    q,
    k,
    v,
  };
}

function flatten(
  name: string,
  rows: readonly (readonly number[])[],
  seqLen: number,
  headDim: number,
): { data: Float64Array; issues: string[] } {
  const issues: string[] = [];
  if (rows.length !== seqLen) {
    issues.push(`${name}: has ${rows.length} rows, expected S = ${seqLen} (as many as Q)`);
  }
  const data = new Float64Array(seqLen * headDim);
  rows.forEach((row, r) => {
    if (row.length !== headDim) {
      issues.push(`${name}: row ${r + 1} has ${row.length} values, expected D = ${headDim}`);
    }
    row.forEach((x, d) => {
      if (!Number.isFinite(x)) issues.push(`${name}: row ${r + 1} value ${d + 1} is not finite`);
      else if (r < seqLen && d < headDim) data[r * headDim + d] = Math.fround(x);
    });
  });
  return { data, issues };
}

/**
 * A problem from typed-in rows; S and D come from Q, and K and V must match them. Values are
 * rounded to f32, as a kernel would see them.
 */
export function typedProblem(spec: TypedProblemSpec): StepProblem {
  const seqLen = spec.q.length;
  const headDim = spec.q[0]?.length ?? 0;
  throwIf([
    intIssue('Q rows (S)', seqLen, STEP_LIMITS.seqLen),
    intIssue('Q columns (D)', headDim, STEP_LIMITS.headDim),
    scaleIssue(spec.scale),
  ]);
  const q = flatten('Q', spec.q, seqLen, headDim);
  const k = flatten('K', spec.k, seqLen, headDim);
  const v = flatten('V', spec.v, seqLen, headDim);
  throwIf([...q.issues, ...k.issues, ...v.issues]);
  return {
    seqLen,
    headDim,
    causal: spec.causal,
    scale: spec.scale ?? 1 / Math.sqrt(headDim),
    q: q.data,
    k: k.data,
    v: v.data,
  };
}

/** The problem's rows of one tensor as nested arrays (for display and the typed-in form). */
export function problemRows(problem: StepProblem, tensor: 'q' | 'k' | 'v'): number[][] {
  const rows: number[][] = [];
  const data = problem[tensor];
  for (let r = 0; r < problem.seqLen; r++) {
    rows.push(Array.from(data.subarray(r * problem.headDim, (r + 1) * problem.headDim)));
  }
  return rows;
}
