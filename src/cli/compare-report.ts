/**
 * Printers for `attnlab compare`: a terminal table and a Markdown report. They format the
 * object `compare()` from src/stats returns; they compute nothing.
 */
import type { ComparisonResult } from '../stats/index.ts';
import { envDiffText, formatMs, sig, splitEnvDiff, type EnvDifference } from '../model/index.ts';

/** Labels and environment difference shown beside the statistics. */
export interface CompareContext {
  baselineLabel: string;
  candidateLabel: string;
  /** Null when either input is not a result file. */
  envDiff: EnvDifference[] | null;
  /** `important`: the compute-relevant rows and a count of the rest; `all`; `none`. */
  envDiffMode?: 'important' | 'all' | 'none';
  confidence: number;
  margin: number;
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

function table(rows: string[][]): string {
  const widths =
    rows[0]?.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, i) => pad(cell, widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const VERDICT_TEXT: Record<ComparisonResult['verdict'], string> = {
  faster: 'FASTER — candidate is faster than baseline',
  slower: 'SLOWER — candidate is slower than baseline (regression)',
  same: 'SAME — within the equivalence margin',
  inconclusive: 'INCONCLUSIVE — the CI straddles the margin; take more samples',
};

/** The verdict line's text: the guard's reason when one forced it, a cross-config label. */
function verdictText(r: ComparisonResult): string {
  if (r.verdictReason !== null) return `INCONCLUSIVE — ${r.verdictReason}`;
  return VERDICT_TEXT[r.verdict] + (r.crossConfig ? ' [cross-config comparison]' : '');
}

/** The default terminal report: two-row table, effect sizes, verdict, summary, env diff. */
export function formatCompareText(r: ComparisonResult, ctx: CompareContext): string {
  const pct = `${Math.round(ctx.confidence * 100)}%`;
  const rows = [
    [
      '',
      'n',
      'median',
      `${pct} CI of median`,
      'mean',
      'sd',
      'p05',
      'p95',
      'outliers (mild/severe)',
    ],
    ...(
      [
        ['baseline', ctx.baselineLabel, r.baseline, r.outliers.baseline],
        ['candidate', ctx.candidateLabel, r.candidate, r.outliers.candidate],
      ] as const
    ).map(([role, label, d, o]) => [
      `${role}: ${label}`,
      String(d.n),
      formatMs(d.median),
      `[${formatMs(d.ci[0])}, ${formatMs(d.ci[1])}]`,
      formatMs(d.mean),
      formatMs(d.sd),
      formatMs(d.p05),
      formatMs(d.p95),
      `${o.mildLow + o.mildHigh}/${o.severeLow + o.severeHigh}`,
    ]),
  ];
  const lines = [
    table(rows),
    '',
    `speedup (baseline/candidate medians)  ${sig(r.speedup.estimate, 4)}×  ${pct} CI [${sig(r.speedup.ci[0], 4)}, ${sig(r.speedup.ci[1], 4)}]`,
    `Hodges–Lehmann shift                  ${formatMs(r.hodgesLehmann)}`,
    `Hedges' g                             ${sig(r.hedgesG)}`,
    `Cliff's δ                             ${sig(r.cliffsDelta)}`,
    `Mann–Whitney U                        ${sig(r.mannWhitney.u, 6)}, p = ${sig(r.mannWhitney.p)}`,
    `${`verdict (margin ±${sig(ctx.margin * 100)}%)`.padEnd(38)}${verdictText(r)}`,
    ...(r.warnings.length > 0
      ? ['', 'warnings:', ...r.warnings.map((w) => `  ! [${w.code}] ${w.message}`)]
      : []),
    '',
    r.summary,
  ];
  const mode = ctx.envDiffMode ?? 'important';
  if (ctx.envDiff !== null && mode !== 'none') {
    lines.push('', 'environment difference:');
    if (ctx.envDiff.length === 0) lines.push('  (identical)');
    const { important, folded } = splitEnvDiff(ctx.envDiff);
    const shown = mode === 'all' ? ctx.envDiff : important;
    for (const d of shown) {
      const t = envDiffText(d);
      lines.push(`  ${d.path}: ${t.a} → ${t.b}`);
    }
    if (mode !== 'all' && folded.length > 0) {
      lines.push(
        `  ${folded.length} more difference${folded.length === 1 ? '' : 's'} (--env-diff all)`,
      );
    }
  }
  return lines.join('\n') + '\n';
}

/** A Markdown report fit for a PR comment or a lab notebook. */
export function formatCompareMarkdown(r: ComparisonResult, ctx: CompareContext): string {
  const pct = `${Math.round(ctx.confidence * 100)}%`;
  const row = (role: string, label: string, d: ComparisonResult['baseline']): string =>
    `| ${role} | \`${label}\` | ${d.n} | ${formatMs(d.median)} | [${formatMs(d.ci[0])}, ${formatMs(d.ci[1])}] | ${formatMs(d.mean)} | ${formatMs(d.sd)} |`;
  const lines = [
    '# attnlab comparison',
    '',
    `| role | input | n | median | ${pct} CI | mean | sd |`,
    '|---|---|---:|---:|---|---:|---:|',
    row('baseline', ctx.baselineLabel, r.baseline),
    row('candidate', ctx.candidateLabel, r.candidate),
    '',
    `- **Verdict:** ${r.verdict}${r.verdictReason !== null ? ` — ${r.verdictReason}` : ''}${r.crossConfig ? ' (cross-config comparison)' : ''} (equivalence margin ±${sig(ctx.margin * 100)}%)`,
    `- **Speedup:** ${sig(r.speedup.estimate, 4)}× (${pct} CI ${sig(r.speedup.ci[0], 4)}–${sig(r.speedup.ci[1], 4)})`,
    `- **Hodges–Lehmann shift:** ${formatMs(r.hodgesLehmann)}`,
    `- **Hedges' g:** ${sig(r.hedgesG)}; **Cliff's δ:** ${sig(r.cliffsDelta)}`,
    `- **Mann–Whitney:** U = ${sig(r.mannWhitney.u, 6)}, p = ${sig(r.mannWhitney.p)}`,
    ...(r.warnings.length > 0
      ? ['', '## Warnings', '', ...r.warnings.map((w) => `- **${w.code}:** ${w.message}`)]
      : []),
    '',
    r.summary,
  ];
  const mode = ctx.envDiffMode ?? 'important';
  if (ctx.envDiff !== null && mode !== 'none') {
    lines.push('', '## Environment difference', '');
    if (ctx.envDiff.length === 0) lines.push('Identical environments.');
    const { important, folded } = splitEnvDiff(ctx.envDiff);
    const rows = (ds: readonly EnvDifference[]): string[] => [
      '| field | baseline | candidate |',
      '|---|---|---|',
      ...ds.map((d) => {
        const t = envDiffText(d);
        return `| ${d.path} | ${t.a} | ${t.b} |`;
      }),
    ];
    if (mode === 'all') {
      if (ctx.envDiff.length > 0) lines.push(...rows(ctx.envDiff));
    } else {
      if (important.length > 0) lines.push(...rows(important));
      if (folded.length > 0) {
        lines.push(
          '',
          `<details><summary>${folded.length} more difference${folded.length === 1 ? '' : 's'}</summary>`,
          '',
          ...rows(folded),
          '',
          '</details>',
        );
      }
    }
  }
  return lines.join('\n') + '\n';
}
