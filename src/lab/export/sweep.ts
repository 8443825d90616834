/**
 * The Sweep view's table as files: one row per (size, split value, target) with its median, CI,
 * throughput and speedup over the baseline with its CI — CSV for spreadsheets, JSON for scripts.
 * Every figure comes from the result files and the stats worker; nothing is computed here.
 */
import { AXIS_SHORT, type NumericAxis } from '../../model/index.ts';
import type { SweepSpeedup } from '../../worker/view-stats.ts';
import type { SweepSeries } from '../state/sweep.svelte.ts';
import type { SweepRecord } from '../store/db.ts';
import { csvCell } from './csv.ts';

/** One row of the sweep table. */
export interface SweepTableRow {
  /** Value of the varied axis. */
  size: number;
  /** Split value label (`causal`, `dtype=f16`), or null. */
  variant: string | null;
  /** Target label. */
  target: string;
  /** True for the baseline target. */
  baseline: boolean;
  /** Samples. */
  n: number;
  /** Median, ms. */
  medianMs: number;
  /** CI of the median, ms. */
  ciMs: [number, number];
  tflops: number;
  gbps: number;
  /** Speedup over the baseline at this point with its CI and verdict; null for the baseline. */
  speedup: { estimate: number; ci: [number, number]; verdict: string } | null;
  /** Result id in the history. */
  resultId: string;
}

/** The rows, in size order, then split value, then target order. */
export function sweepTableRows(
  series: readonly SweepSeries[],
  speedups: readonly SweepSpeedup[],
  baselineTarget: string,
): SweepTableRow[] {
  const rows: SweepTableRow[] = [];
  for (const s of series) {
    for (const p of s.points) {
      const sp = speedups.find((x) => x.target === s.key)?.points.find((q) => q.size === p.size);
      rows.push({
        size: p.size,
        variant: s.variant,
        target: s.label,
        baseline: s.target === baselineTarget,
        n: p.n,
        medianMs: p.medianMs,
        ciMs: p.ciMs,
        tflops: p.tflops,
        gbps: p.gbps,
        speedup: sp ? { estimate: sp.estimate, ci: sp.ci, verdict: sp.verdict } : null,
        resultId: p.resultId,
      });
    }
  }
  const order = (r: SweepTableRow): number => series.findIndex((s) => s.label === r.target);
  return rows.sort((a, b) => a.size - b.size || order(a) - order(b));
}

/** CSV of the table; numbers at full precision, empty cells where a figure does not apply. */
export function sweepCsv(vary: NumericAxis, rows: readonly SweepTableRow[]): string {
  const header = [
    AXIS_SHORT[vary],
    'variant',
    'target',
    'baseline',
    'n',
    'median_ms',
    'ci_lo_ms',
    'ci_hi_ms',
    'tflops',
    'gbps',
    'speedup',
    'speedup_ci_lo',
    'speedup_ci_hi',
    'verdict',
    'result_id',
  ];
  const lines = rows.map((r) =>
    [
      String(r.size),
      csvCell(r.variant ?? ''),
      csvCell(r.target),
      r.baseline ? '1' : '0',
      String(r.n),
      String(r.medianMs),
      String(r.ciMs[0]),
      String(r.ciMs[1]),
      String(r.tflops),
      String(r.gbps),
      r.speedup ? String(r.speedup.estimate) : '',
      r.speedup ? String(r.speedup.ci[0]) : '',
      r.speedup ? String(r.speedup.ci[1]) : '',
      r.speedup?.verdict ?? '',
      csvCell(r.resultId),
    ].join(','),
  );
  return `${header.join(',')}\n${lines.join('\n')}\n`;
}

/** JSON of the table with what the sweep varied (schema `attnlab/sweep-table@1`). */
export function sweepJson(sweep: SweepRecord, rows: readonly SweepTableRow[]): string {
  const doc = {
    schema: 'attnlab/sweep-table@1',
    sweep: {
      id: sweep.id,
      createdAt: sweep.createdAt,
      vary: sweep.vary,
      sizes: sweep.sizes,
      split: sweep.split ?? null,
      targets: sweep.targets,
    },
    rows,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
