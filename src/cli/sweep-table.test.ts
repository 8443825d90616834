/** The CLI sweep table is aligned and valid Markdown: a Markdown parser reads it back. */
import { describe, expect, it } from 'vitest';
import { lexer, type Tokens } from 'marked';
import {
  SWEEP_SEPARATE_RUNS_NOTE,
  formatSweepTable,
  markdownTable,
  type SweepRow,
} from './sweep-table.ts';

const rows: SweepRow[] = [
  {
    point: { seqLen: 128, causal: false },
    cells: [
      { medianMs: 0.5123, tflops: 1.234, status: 'completed' },
      {
        medianMs: 0.25,
        tflops: 2.5,
        status: 'completed',
        speedup: { estimate: 2.049, ci: [1.98, 2.11], verdict: 'faster' },
      },
    ],
  },
  {
    point: { seqLen: 1024, causal: true },
    cells: [
      { medianMs: 12.5, tflops: 10.1, status: 'completed' },
      { medianMs: null, tflops: null, status: 'failed', speedup: null },
    ],
  },
];

function parseTable(text: string): Tokens.Table {
  const table = lexer(text).find((t) => t.type === 'table');
  if (table?.type !== 'table') throw new Error('no Markdown table in the output');
  return table as Tokens.Table;
}

describe('formatSweepTable', () => {
  const out = formatSweepTable(
    ['seqLen', 'causal'],
    ['cpu:cpu-flash-f32', 'dawn:flash|f32'],
    rows,
    [{ target: 'dawn:flash|f32', geomean: 2.049, points: 1 }],
  );

  it('parses back as a GFM table with every header and cell', () => {
    const table = parseTable(out);
    expect(table.header.map((h) => h.text)).toEqual([
      'S',
      'causal',
      'cpu:cpu-flash-f32 median',
      'TFLOP/s',
      'dawn:flash|f32 median',
      'TFLOP/s',
      'speedup [95% CI]',
      'verdict',
    ]);
    expect(table.rows.map((r) => r.map((c) => c.text))).toEqual([
      ['128', 'no', '512.3 µs', '1.234', '250.0 µs', '2.5', '2.05× [1.98, 2.11]', 'faster'],
      ['1024', 'yes', '12.50 ms', '10.1', 'failed', '—', '—', '—'],
    ]);
    expect(table.align).toEqual(['right', null, 'right', 'right', 'right', 'right', 'right', null]);
  });

  it('aligns the columns: every table line has the same width', () => {
    const lines = out.split('\n').filter((l) => l.startsWith('|'));
    expect(lines).toHaveLength(4);
    const widths = new Set(lines.map((l) => l.length));
    expect(widths.size).toBe(1);
  });

  it('ends with the geomean sentence and the separate-runs note', () => {
    const last = out.trim().split('\n');
    expect(last.at(-3)).toBe(
      'Geomean speedup of dawn:flash|f32 over cpu:cpu-flash-f32: 2.049× over 1 point.',
    );
    expect(last.at(-1)).toBe(SWEEP_SEPARATE_RUNS_NOTE);
    expect(SWEEP_SEPARATE_RUNS_NOTE).toMatch(/^Verdicts compare one run of each target per point/);
  });
});

describe('markdownTable', () => {
  it('pads short headers to the Markdown minimum of three dashes', () => {
    expect(markdownTable(['B'], [['1']], [true])).toBe('|   B |\n|----:|\n|   1 |');
  });
});
