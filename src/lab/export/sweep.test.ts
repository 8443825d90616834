/** Sweep table exports: CSV and JSON rows with medians, CIs and speedup CIs, baseline marked. */
import { describe, expect, it } from 'vitest';
import type { SweepSeries } from '../state/sweep.svelte.ts';
import type { SweepSpeedup } from '../../worker/view-stats.ts';
import type { SweepRecord } from '../store/db.ts';
import { sweepCsv, sweepJson, sweepTableRows } from './sweep.ts';

const point = (size: number, medianMs: number, resultId: string) => ({
  size,
  medianMs,
  ciMs: [medianMs * 0.98, medianMs * 1.03] as [number, number],
  tflops: 1 / medianMs,
  tflopsCi: [0.9 / medianMs, 1.1 / medianMs] as [number, number],
  intensity: 10,
  n: 25,
  gbps: 2 / medianMs,
  resultId,
});
const series: SweepSeries[] = [
  {
    key: 'browser|webgpu|flash-f32',
    target: 'browser|webgpu|flash-f32',
    variant: null,
    label: 'browser · webgpu · flash-f32',
    points: [point(64, 0.5, 'r1'), point(128, 1.25, 'r3')],
  },
  {
    key: 'h:1|cpu|cpu, flash',
    target: 'h:1|cpu|cpu, flash',
    variant: null,
    label: 'cpu · cpu, "flash"',
    points: [point(64, 2, 'r2')],
  },
];
const speedups: SweepSpeedup[] = [
  {
    target: 'h:1|cpu|cpu, flash',
    points: [{ size: 64, estimate: 0.25, ci: [0.24, 0.26], verdict: 'slower' }],
    geomean: 0.25,
  },
];
const rows = sweepTableRows(series, speedups, 'browser|webgpu|flash-f32');

describe('sweep table export', () => {
  it('orders rows by size, then target; the baseline has no speedup', () => {
    expect(rows.map((r) => [r.size, r.target, r.baseline, r.speedup?.estimate ?? null])).toEqual([
      [64, 'browser · webgpu · flash-f32', true, null],
      [64, 'cpu · cpu, "flash"', false, 0.25],
      [128, 'browser · webgpu · flash-f32', true, null],
    ]);
  });

  it('writes CSV with a header, quoted cells and full-precision numbers', () => {
    const lines = sweepCsv('seqLen', rows).trim().split('\n');
    expect(lines[0]).toBe(
      'S,variant,target,baseline,n,median_ms,ci_lo_ms,ci_hi_ms,tflops,gbps,speedup,speedup_ci_lo,speedup_ci_hi,verdict,result_id',
    );
    expect(lines[2]).toBe(
      '64,,"cpu · cpu, ""flash""",0,25,2,1.96,2.06,0.5,1,0.25,0.24,0.26,slower,r2',
    );
    expect(lines[1]?.endsWith(',,,,,r1')).toBe(true);
    expect(lines).toHaveLength(4);
  });

  it('writes JSON that parses back with the sweep and every row', () => {
    const sweep: SweepRecord = {
      id: 'sw1',
      createdAt: '2026-12-05T21:00:00Z',
      vary: 'seqLen',
      sizes: [64, 128],
      targets: ['a', 'b'],
      cells: [],
    };
    const doc = JSON.parse(sweepJson(sweep, rows)) as {
      schema: string;
      sweep: { vary: string; split: null };
      rows: typeof rows;
    };
    expect(doc.schema).toBe('attnlab/sweep-table@1');
    expect(doc.sweep.vary).toBe('seqLen');
    expect(doc.sweep.split).toBeNull();
    expect(doc.rows).toEqual(rows);
  });
});
