/**
 * Markdown reports of a run and of a comparison, fit for a PR comment or a lab notebook. They
 * format figures the engines and the stats worker computed; they compute nothing.
 */
import { configLabel, describeStopRule, formatBytes } from '../../model/index.ts';
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
    `- **Verdict:** ${c.verdict} (equivalence margin ±${sig(margin * 100)}%)`,
    `- **Speedup:** ${sig(c.speedup.estimate, 4)}× (95% CI ${sig(c.speedup.ci[0], 4)}–${sig(c.speedup.ci[1], 4)})`,
    `- **Hodges–Lehmann shift:** ${formatMs(c.hodgesLehmann)}`,
    `- **Hedges' g:** ${sig(c.hedgesG)}; **Cliff's δ:** ${sig(c.cliffsDelta)}`,
    `- **Mann–Whitney:** U = ${sig(c.mannWhitney.u, 6)}, p ${c.mannWhitney.p < 0.001 ? '' : '= '}${formatP(c.mannWhitney.p)}`,
    '',
    c.summary,
    '',
    '## Environment difference',
    '',
  ];
  if (envDiff.length === 0) lines.push('Identical environments.');
  else {
    lines.push('| field | baseline | candidate |', '|---|---|---|');
    for (const d of envDiff)
      lines.push(`| ${cell(d.path)} | ${cell(d.a ?? '—')} | ${cell(d.b ?? '—')} |`);
  }
  return `${lines.join('\n')}\n`;
}
