/**
 * Self-contained HTML reports of a comparison and of a sweep: one file, styles inline, charts as
 * inline SVG, no scripts, no network — it opens years later from a mail attachment. Everything
 * shown was computed by src/stats (via the stats worker) or by the engines; this only formats.
 */
import { configLabel, envDiffText, splitEnvDiff } from '../../model/index.ts';
import type { EnvDifference, ResultFile } from '../../model/index.ts';
import type { ComparisonResult } from '../../stats/index.ts';
import { formatCi, formatMs, formatP, resultTitle, sig } from '../lib/format.ts';
import type { ChartStamp } from './files.ts';
import type { SweepTableRow } from './sweep.ts';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const STYLE = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d232b;background:#fff;max-width:1100px;margin:2rem auto;padding:0 1rem}
h1{font-size:1.4rem;margin:0 0 .25rem}h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
.meta{color:#5b6573;margin:0 0 1rem}table{border-collapse:collapse;margin:.5rem 0}
th,td{border-bottom:1px solid #e3e7ec;padding:.25rem .6rem;text-align:left;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.warn{background:#fff4d6;border:1px solid #e6c35c;padding:.5rem .75rem;border-radius:4px}
figure{margin:1rem 0}svg{max-width:100%;height:auto}summary{cursor:pointer}`;

/** A whole HTML document around `body`. */
export function htmlDocument(title: string, stamp: ChartStamp, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="attnlab">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="meta">${stamp.lines.map(escapeHtml).join('<br>')}</p>
${body}
</body>
</html>
`;
}

function table(
  header: readonly string[],
  rows: readonly string[][],
  numeric: readonly boolean[],
): string {
  const th = header
    .map((h, i) => `<th${numeric[i] ? ' class="num"' : ''}>${escapeHtml(h)}</th>`)
    .join('');
  const trs = rows
    .map(
      (r) =>
        `<tr>${r.map((c, i) => `<td${numeric[i] ? ' class="num"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${trs}\n</tbody></table>`;
}

function warningsHtml(warnings: readonly { code: string; message: string }[]): string {
  if (warnings.length === 0) return '';
  return `<div class="warn"><strong>Warnings</strong><ul>${warnings
    .map((w) => `<li><strong>${escapeHtml(w.code)}:</strong> ${escapeHtml(w.message)}</li>`)
    .join('')}</ul></div>`;
}

function envDiffHtml(diff: readonly EnvDifference[]): string {
  if (diff.length === 0) return '<p>Identical environments.</p>';
  const rows = (ds: readonly EnvDifference[]): string[][] =>
    ds.map((d) => {
      const t = envDiffText(d);
      return [d.path, t.a, t.b];
    });
  const { important, folded } = splitEnvDiff(diff);
  const head = ['field', 'A baseline', 'B candidate'];
  return `${important.length > 0 ? table(head, rows(important), []) : '<p>No compute-relevant differences.</p>'}${
    folded.length > 0
      ? `<details><summary>${folded.length} more difference${folded.length === 1 ? '' : 's'}</summary>${table(head, rows(folded), [])}</details>`
      : ''
  }`;
}

function figures(charts: readonly string[]): string {
  return charts.map((svg) => `<figure>${svg}</figure>`).join('\n');
}

/** The comparison report: verdict, figures, both sides, warnings, charts, environment. */
export function comparisonHtml(
  a: ResultFile,
  b: ResultFile,
  c: ComparisonResult,
  envDiff: readonly EnvDifference[],
  margin: number,
  stamp: ChartStamp,
  charts: readonly string[],
): string {
  const verdict = `${c.verdict}${c.crossConfig ? ' (cross-config: the configs differ)' : ''}`;
  const body = [
    `<h2>Verdict: ${escapeHtml(verdict)}</h2>`,
    `<p>Equivalence margin ±${escapeHtml(sig(margin * 100))}%.${c.verdictReason ? ` ${escapeHtml(c.verdictReason)}` : ''}</p>`,
    table(
      [
        'speedup (A/B medians)',
        '95% CI',
        'Hodges–Lehmann shift',
        "Hedges' g",
        "Cliff's δ",
        'Mann–Whitney p',
      ],
      [
        [
          `${sig(c.speedup.estimate, 4)}×`,
          `[${sig(c.speedup.ci[0], 4)}, ${sig(c.speedup.ci[1], 4)}]`,
          formatMs(c.hodgesLehmann),
          sig(c.hedgesG),
          sig(c.cliffsDelta),
          formatP(c.mannWhitney.p),
        ],
      ],
      [true, true, true, true, true, true],
    ),
    `<p>${escapeHtml(c.summary)}</p>`,
    warningsHtml(c.warnings),
    '<h2>Both sides</h2>',
    table(
      ['side', 'target', 'config', 'n', 'median', '95% CI of the median'],
      [
        [
          'A baseline',
          resultTitle(a),
          configLabel(a.config),
          String(c.baseline.n),
          formatMs(c.baseline.median),
          formatCi(c.baseline.ci),
        ],
        [
          'B candidate',
          resultTitle(b),
          configLabel(b.config),
          String(c.candidate.n),
          formatMs(c.candidate.median),
          formatCi(c.candidate.ci),
        ],
      ],
      [false, false, false, true, true, false],
    ),
    '<h2>Charts</h2>',
    figures(charts),
    '<h2>Environment difference</h2>',
    envDiffHtml(envDiff),
  ];
  return htmlDocument(
    `attnlab comparison: ${resultTitle(a)} vs ${resultTitle(b)}`,
    stamp,
    body.join('\n'),
  );
}

/** The sweep report: the table with speedup CIs, and the charts. */
export function sweepHtml(
  title: string,
  axisShort: string,
  rows: readonly SweepTableRow[],
  stamp: ChartStamp,
  charts: readonly string[],
): string {
  const body = [
    '<h2>Results</h2>',
    table(
      [
        axisShort,
        'variant',
        'target',
        'n',
        'median',
        '95% CI of the median',
        'TFLOP/s',
        'speedup [95% CI]',
        'verdict',
      ],
      rows.map((r) => [
        String(r.size),
        r.variant ?? '',
        `${r.target}${r.baseline ? ' (baseline)' : ''}`,
        String(r.n),
        formatMs(r.medianMs),
        formatCi(r.ciMs),
        sig(r.tflops, 4),
        r.speedup
          ? `${sig(r.speedup.estimate, 3)}× [${sig(r.speedup.ci[0], 3)}, ${sig(r.speedup.ci[1], 3)}]`
          : '—',
        r.speedup?.verdict ?? '—',
      ]),
      [true, false, false, true, true, false, true, true, false],
    ),
    '<h2>Charts</h2>',
    figures(charts),
  ];
  return htmlDocument(title, stamp, body.join('\n'));
}
