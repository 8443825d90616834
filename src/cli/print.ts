/**
 * Printers: they only format what engines and src/stats produced (nvbench's measure/print split).
 */
import {
  boundOf,
  ceilingsOf,
  configLabel,
  describeStopRule,
  formatBytes,
  formatMs,
  sig,
} from '../model/index.ts';
import type { ResultFile } from '../model/index.ts';

/** The report `attnlab run` prints after a run. */
export function formatRunReport(result: ResultFile, outPath?: string): string {
  const lines: string[] = [];
  const t = result.target;
  lines.push(`${t.backend} / ${t.kernel} — ${configLabel(result.config)}`);
  const params = Object.entries(t.kernelParams)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
  if (params !== '') lines.push(`  kernel params   ${params}`);
  const c = result.correctness;
  if (c) {
    const err =
      c.relL2Err === null
        ? 'NaN in output'
        : `rel L2 ${sig(c.relL2Err)}, max abs ${sig(c.maxAbsErr ?? 0)}`;
    lines.push(
      `  correctness     ${c.passed ? 'passed' : 'FAILED'} vs ${c.reference} (${c.rowsChecked}/${c.rowsTotal} rows; ${err}; tol ${sig(c.tolerance)})`,
    );
  }
  const d = result.derived;
  if (d) {
    lines.push(
      `  median          ${formatMs(d.medianMs)}  [${formatMs(d.ci[0])}, ${formatMs(d.ci[1])}] ${Math.round(d.confidence * 100)}% CI, n=${result.samples.ms.length}${result.samples.partial ? ' (partial)' : ''}`,
    );
    lines.push(`  throughput      ${throughputLine(result)}`);
  }
  const tm = result.timing;
  lines.push(
    `  timing          ${tm.method}${tm.method === 'cpu-clock' ? ' (lower precision)' : ''}, ${tm.dispatchesPerSample} launch(es)/sample${tm.graph ? ' in a CUDA graph' : ''}, ${tm.cache} cache, warmup ${tm.warmup}, ${describeStopRule(tm.stopRule)}` +
      (tm.quantumMs !== null && tm.quantumMs > 0 ? `, quantum ${formatMs(tm.quantumMs)}` : ''),
  );
  for (const note of tm.notes) lines.push(`  note            ${note}`);
  const m = result.memory;
  lines.push(
    `  memory          estimate ${formatBytes(m.estimateBytes)}` +
      (m.peakBytes !== null ? `, peak ${formatBytes(m.peakBytes)}` : '') +
      (m.deviceTotalBytes !== null ? ` of ${formatBytes(m.deviceTotalBytes)}` : '') +
      (m.oomRisk ? ' — OOM RISK (> 85%)' : ''),
  );
  const throttled = result.samples.throttled?.filter(Boolean).length ?? 0;
  if (throttled > 0)
    lines.push(`  warning         ${throttled} sample(s) taken while the GPU was throttled`);
  if (result.status !== 'completed') {
    lines.push(
      `  status          ${result.status}${result.error ? `: ${result.error.message}` : ''}`,
    );
  }
  if (outPath !== undefined) lines.push(`  result file     ${outPath}`);
  return lines.join('\n') + '\n';
}

/**
 * The bound's figure first: GB/s (minimal bytes) for a memory-bound problem such as decode,
 * TFLOP/s for a compute-bound one, each with its share of the device ceiling when known.
 */
function throughputLine(result: ResultFile): string {
  const d = result.derived;
  if (!d) return '—';
  const ceilings = ceilingsOf(result.env);
  const bound = boundOf(result.config, ceilings);
  const gb = `${sig(d.gbps, 4)} GB/s (minimal bytes)`;
  const tf = `${sig(d.tflops, 4)} TFLOP/s`;
  if (bound === 'memory') {
    const of = ceilings.peakGbps
      ? `, ${sig((100 * d.gbps) / ceilings.peakGbps, 3)}% of ${sig(ceilings.peakGbps, 4)} GB/s`
      : '';
    return `${gb}, ${tf} — memory-bound${of}`;
  }
  const of = ceilings.peakTflops
    ? `, ${sig((100 * d.tflops) / ceilings.peakTflops, 3)}% of ${sig(ceilings.peakTflops, 4)} TFLOP/s`
    : '';
  return `${tf}, ${gb} — compute-bound${of}`;
}
