/**
 * Markdown reports of a run and of a comparison, fit for a PR comment or a lab notebook. They
 * format figures the engines and the stats worker computed; they compute nothing.
 */
import {
  configLabel,
  describeStopRule,
  envDiffText,
  formatBytes,
  splitEnvDiff,
} from '../../model/index.ts';
import type { EnvDifference, ResultFile } from '../../model/index.ts';
import type { ComparisonResult } from '../../stats/index.ts';
import { formatCi, formatMs, formatP, resultTitle, sig } from '../lib/format.ts';

function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

/** A run's report: what ran, where, how it was timed, and the figures. */
export function runMarkdown(r: ResultFile): string {
  const d = r.derived;
  const c = r.correctness;
  const lines = [
    `# ${cell(resultTitle(r))} — ${configLabel(r.config)}`,
    '',
    '| | |',
    '|---|---|',
    `| status | ${r.status}${r.error ? ` — ${cell(r.error.message)}` : ''} |`,
    `| samples | ${r.samples.ms.length}${r.samples.partial ? ' (partial)' : ''} |`,
  ];
  if (d) {
    lines.push(
      `| median | ${formatMs(d.medianMs)} |`,
      `| ${Math.round(d.confidence * 100)}% CI of the median | ${formatCi(d.ci, r.samples.ms.length)} |`,
      `| throughput | ${sig(d.tflops, 4)} TFLOP/s, ${sig(d.gbps, 4)} GB/s (minimal bytes) |`,
    );
  }
  if (c) {
    lines.push(
      `| correctness | ${c.passed ? 'passed' : 'FAILED'} vs ${cell(c.reference)}: rel L2 ${c.relL2Err === null ? 'NaN' : sig(c.relL2Err)} (tolerance ${sig(c.tolerance)}), ${c.rowsChecked}/${c.rowsTotal} rows |`,
    );
  }
  const t = r.timing;
  lines.push(
    `| timing | ${t.method}, ${t.dispatchesPerSample} launch(es)/sample, ${t.cache} cache, warmup ${t.warmup}, ${describeStopRule(t.stopRule)}${t.quantumMs ? `, quantum ${formatMs(t.quantumMs)}` : ''} |`,
    `| memory | estimate ${formatBytes(r.memory.estimateBytes)}${r.memory.peakBytes !== null ? `, peak ${formatBytes(r.memory.peakBytes)}` : ''}${r.memory.oomRisk ? ' — OOM risk' : ''} |`,
    `| created | ${r.createdAt} by ${r.tool.name} ${r.tool.version}${r.tool.commit ? ` (${r.tool.commit})` : ''} |`,
  );
  for (const note of t.notes) lines.push('', `> ${note}`);
  return `${lines.join('\n')}\n`;
}

/** A comparison's report, baseline first. */
export function comparisonMarkdown(
  baseline: ResultFile,
  candidate: ResultFile,
  c: ComparisonResult,
  envDiff: readonly EnvDifference[],
  margin: number,
): string {
  const row = (role: string, r: ResultFile, s: ComparisonResult['baseline']): string =>
    `| ${role} | ${cell(resultTitle(r))} | ${configLabel(r.config)} | ${s.n} | ${formatMs(s.median)} | ${formatCi(s.ci, s.n)} |`;
  const lines = [
    '# attnlab comparison',
    '',
    '| role | target | config | n | median | 95% CI |',
    '|---|---|---|---:|---:|---|',
    row('baseline', baseline, c.baseline),
    row('candidate', candidate, c.candidate),
    '',
    `- **Verdict:** ${c.verdict}${c.crossConfig ? ' (cross-config: the configs differ)' : ''} (equivalence margin ±${sig(margin * 100)}%)${c.verdictReason ? ` — ${cell(c.verdictReason)}` : ''}`,
    `- **Speedup:** ${sig(c.speedup.estimate, 4)}× (95% CI ${sig(c.speedup.ci[0], 4)}–${sig(c.speedup.ci[1], 4)})`,
    `- **Hodges–Lehmann shift:** ${formatMs(c.hodgesLehmann)}`,
    `- **Hedges' g:** ${sig(c.hedgesG)}; **Cliff's δ:** ${sig(c.cliffsDelta)}`,
    `- **Mann–Whitney:** U = ${sig(c.mannWhitney.u, 6)}, p ${c.mannWhitney.p < 0.001 ? '' : '= '}${formatP(c.mannWhitney.p)}`,
    '',
    c.summary,
    ...(c.warnings.length > 0
      ? ['', '## Warnings', '', ...c.warnings.map((w) => `- **${w.code}:** ${w.message}`)]
      : []),
    '',
    '## Environment difference',
    '',
  ];
  lines.push(...envDiffMarkdown(envDiff));
  return `${lines.join('\n')}\n`;
}

/**
 * The environment difference as Markdown: compute-relevant rows as a table, the rest folded in a
 * `<details>` (GitHub renders it collapsed).
 */
export function envDiffMarkdown(envDiff: readonly EnvDifference[]): string[] {
  if (envDiff.length === 0) return ['Identical environments.'];
  const rows = (ds: readonly EnvDifference[]): string[] => [
    '| field | baseline | candidate |',
    '|---|---|---|',
    ...ds.map((d) => {
      const t = envDiffText(d);
      return `| ${cell(d.path)} | ${cell(t.a)} | ${cell(t.b)} |`;
    }),
  ];
  const { important, folded } = splitEnvDiff(envDiff);
  const lines = important.length > 0 ? rows(important) : ['No compute-relevant differences.'];
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
  return lines;
}
