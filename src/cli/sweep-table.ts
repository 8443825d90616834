/**
 * The `attnlab sweep` table: one row per sweep point, aligned columns that are also a valid
 * Markdown (GFM) table, so the terminal output pastes into a PR as is. It formats figures the
 * runs and src/stats produced; it computes nothing.
 */
import type { SweepAxis, SweepPoint } from '../model/index.ts';
import { AXIS_SHORT, formatMs, sig } from '../model/index.ts';

/** One target's figures at one point. */
export interface SweepCellFigures {
  /** Median, ms (null: the run produced no figures). */
  medianMs: number | null;
  /** TFLOP/s at the median. */
  tflops: number | null;
  /** Run status when not completed. */
  status: string;
  /** Speedup over the baseline with its CI and verdict (absent for the baseline itself). */
  speedup?: { estimate: number; ci: [number, number]; verdict: string } | null;
}

/** One row: a point and each target's figures, baseline first. */
export interface SweepRow {
  point: SweepPoint;
  cells: SweepCellFigures[];
}

/** Geomean of one target's speedups over the baseline. */
export interface SweepGeomean {
  target: string;
  geomean: number;
  points: number;
}

/** Escapes a cell for Markdown (a `|` would split the cell). */
function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|');
}

/** Formats rows as an aligned Markdown table: text left-aligned, figures right-aligned. */
export function markdownTable(
  header: readonly string[],
  rows: readonly string[][],
  numeric: readonly boolean[],
): string {
  const all = [header.map(escapeCell), ...rows.map((r) => r.map(escapeCell))];
  const widths = header.map((_, c) => Math.max(3, ...all.map((r) => (r[c] ?? '').length)));
  const pad = (text: string, c: number): string => {
    const fill = ' '.repeat(Math.max(0, (widths[c] ?? 0) - text.length));
    return numeric[c] ? fill + text : text + fill;
  };
  const line = (cells: readonly string[]): string =>
    `| ${widths.map((_, c) => pad(cells[c] ?? '', c)).join(' | ')} |`;
  const rule = `|${widths.map((w, c) => (numeric[c] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  const [head, ...body] = all;
  return [line(head ?? []), rule, ...body.map(line)].join('\n');
}

function axisCell(axis: SweepAxis, point: SweepPoint): string {
  const v = point[axis];
  if (v === undefined) return '';
  if (axis === 'causal') return v === true ? 'yes' : 'no';
  return String(v);
}

/** Under every table with speedups: what a verdict between two separate runs cannot see. */
export const SWEEP_SEPARATE_RUNS_NOTE =
  "Verdicts compare one run of each target per point, not interleaved runs: a difference of a few percent can be run-to-run variation. For a close call, interleave the pair ('attnlab run … --vs KERNEL', or Run A against B in the lab).";

/** The sweep's table, geomean lines and the separate-runs note. */
export function formatSweepTable(
  axes: readonly SweepAxis[],
  targets: readonly string[],
  rows: readonly SweepRow[],
  geomeans: readonly SweepGeomean[],
): string {
  const header = [
    ...axes.map((a) => AXIS_SHORT[a]),
    ...targets.flatMap((t, i) =>
      i === 0
        ? [`${t} median`, 'TFLOP/s']
        : [`${t} median`, 'TFLOP/s', 'speedup [95% CI]', 'verdict'],
    ),
  ];
  const numeric = [
    ...axes.map((a) => a !== 'causal' && a !== 'dtype'),
    ...targets.flatMap((_, i) => (i === 0 ? [true, true] : [true, true, true, false])),
  ];
  const body = rows.map((row) => [
    ...axes.map((a) => axisCell(a, row.point)),
    ...row.cells.flatMap((c, i) => {
      const figures = [
        c.medianMs === null ? c.status : formatMs(c.medianMs),
        c.tflops === null ? '—' : sig(c.tflops, 4),
      ];
      if (i === 0) return figures;
      const s = c.speedup;
      return [
        ...figures,
        s ? `${sig(s.estimate, 3)}× [${sig(s.ci[0], 3)}, ${sig(s.ci[1], 3)}]` : '—',
        s ? s.verdict : '—',
      ];
    }),
  ]);
  const lines = [markdownTable(header, body, numeric)];
  if (geomeans.length > 0) lines.push('');
  for (const g of geomeans) {
    lines.push(
      `Geomean speedup of ${g.target} over ${targets[0] ?? ''}: ${sig(g.geomean, 4)}× over ${g.points} point${g.points === 1 ? '' : 's'}.`,
    );
  }
  if (targets.length > 1) lines.push('', SWEEP_SEPARATE_RUNS_NOTE);
  return lines.join('\n') + '\n';
}
