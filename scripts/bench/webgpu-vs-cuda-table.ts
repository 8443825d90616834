/**
 * The comparison table of `bench:webgpu-vs-cuda`: statistics from src/stats (median CIs, the
 * speedup CI against the SDPA reference), then Markdown formatting only.
 */
import { compare } from '../../src/stats/index.ts';
import { gbps, kvHeadsOf, kvSeqLenOf, tflops } from '../../src/model/index.ts';
import type { AttentionConfig, ResultFile } from '../../src/model/index.ts';

/** One finished (or failed) run of the bench. */
export interface BenchRow {
  /** Shape and dtype. */
  config: AttentionConfig;
  /** Target label, e.g. `dawn/flash-sgmat-f16`. */
  label: string;
  /** The result file, or null when the run was refused before starting. */
  result: ResultFile | null;
  /** Why there is no timing (refusal, failed check, error). */
  problem?: string;
  /** True for the SDPA reference of this shape and dtype. */
  reference: boolean;
}

/** A table row's figures (statistics done, formatting not). */
export interface RowFigures {
  /** Median ms and its 95% CI. */
  medianMs: number;
  ciMs: [number, number];
  /** TFLOP/s at the median and at the CI ends. */
  tflops: number;
  tflopsCi: [number, number];
  /** GB/s of the minimal bytes at the median. */
  gbps: number;
  /** Speedup over the reference (median_ref / median) with its 95% CI; null for the reference. */
  vsReference: { estimate: number; ci: [number, number] } | null;
}

/** Figures of a row against its reference's samples (null when it has no samples). */
export function figuresOf(row: BenchRow, referenceMs: readonly number[] | null): RowFigures | null {
  const ms = row.result?.samples.ms ?? [];
  const derived = row.result?.derived;
  if (!derived || ms.length === 0 || row.result?.status !== 'completed') return null;
  const [lo, hi] = derived.ci;
  let vsReference: RowFigures['vsReference'] = null;
  if (!row.reference && referenceMs && referenceMs.length > 1 && ms.length > 1) {
    const c = compare(referenceMs, ms, { resamples: 2000, seed: 1 });
    vsReference = { estimate: c.speedup.estimate, ci: c.speedup.ci };
  }
  return {
    medianMs: derived.medianMs,
    ciMs: [lo, hi],
    tflops: derived.tflops,
    tflopsCi: [tflops(row.config, hi), tflops(row.config, lo)],
    gbps: gbps(row.config, derived.medianMs),
    vsReference,
  };
}

function f(x: number, digits = 3): string {
  return x >= 100 ? x.toFixed(1) : x.toPrecision(digits);
}

function shapeOf(c: AttentionConfig): string {
  const hkv = kvHeadsOf(c);
  const skv = kvSeqLenOf(c);
  if (hkv === c.heads && skv === c.seqLen) {
    return `(${c.batch},${c.heads},${c.seqLen},${c.headDim}) ${c.dtype}`;
  }
  return `(${c.batch},${c.heads},${hkv},${c.seqLen},${skv},${c.headDim}) ${c.dtype}`;
}

function paramsOf(r: ResultFile | null): string {
  if (!r) return '';
  const p = r.target.kernelParams;
  const keys = ['Br', 'Bc', 'subgroups', 'workgroupSize'].filter((k) => k in p);
  return keys.map((k) => `${k}=${String(p[k])}`).join(' ');
}

function checkOf(r: ResultFile | null): string {
  const c = r?.correctness;
  if (!c) return '—';
  const err = c.relL2Err === null ? 'non-finite' : c.relL2Err.toExponential(1);
  return `${c.passed ? 'pass' : 'FAIL'} ${err}`;
}

/**
 * The Markdown table of a bench (rows in the order run; reference rows are marked). With
 * `copyGbps` (a decode bench) the rate column is GB/s of minimal bytes and its % of that ceiling.
 */
export function markdownTable(rows: readonly BenchRow[], copyGbps?: number): string {
  const decode = copyGbps !== undefined;
  const head =
    `| shape ${decode ? '(B,H,Hkv,S,Skv,D)' : '(B,H,S,D)'} dtype | backend/kernel | params | check (rel L2) | median ms [95% CI] | ${decode ? 'GB/s (% of copy)' : 'TFLOP/s [95% CI]'} | × SDPA ref [95% CI] |\n` +
    '|---|---|---|---|---|---|---|';
  const lines = rows.map((row) => {
    const ref = rows.find((r) => r.reference && sameShape(r.config, row.config));
    const fig = figuresOf(row, ref?.result?.samples.ms ?? null);
    const label = row.reference ? `**${row.label}** (ref)` : row.label;
    if (!fig) {
      const why = row.problem ?? row.result?.error?.message ?? 'no samples';
      return `| ${shapeOf(row.config)} | ${label} | ${paramsOf(row.result)} | ${checkOf(row.result)} | — | — | ${why.replace(/\|/g, '/').slice(0, 160)} |`;
    }
    const vs = fig.vsReference
      ? `${fig.vsReference.estimate.toFixed(2)} [${fig.vsReference.ci[0].toFixed(2)}, ${fig.vsReference.ci[1].toFixed(2)}]`
      : row.reference
        ? '1'
        : '—';
    const rate = decode
      ? `${fig.gbps.toFixed(0)} (${((100 * fig.gbps) / copyGbps).toFixed(0)}%)`
      : `${f(fig.tflops)} [${f(fig.tflopsCi[0])}, ${f(fig.tflopsCi[1])}]`;
    return `| ${shapeOf(row.config)} | ${label} | ${paramsOf(row.result)} | ${checkOf(row.result)} | ${f(fig.medianMs, 4)} [${f(fig.ciMs[0], 4)}, ${f(fig.ciMs[1], 4)}] | ${rate} | ${vs} |`;
  });
  return [head, ...lines].join('\n');
}

function sameShape(a: AttentionConfig, b: AttentionConfig): boolean {
  return (
    a.batch === b.batch &&
    a.heads === b.heads &&
    a.seqLen === b.seqLen &&
    a.headDim === b.headDim &&
    kvHeadsOf(a) === kvHeadsOf(b) &&
    kvSeqLenOf(a) === kvSeqLenOf(b) &&
    a.dtype === b.dtype
  );
}
