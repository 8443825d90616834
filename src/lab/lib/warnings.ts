/**
 * Warnings a person should see next to a result: coarse timestamps, CPU-clock timing, throttled
 * samples, OOM risk, partial or failed runs. Read off the result file; nothing is recomputed.
 */
import { boundOf, ceilingsOf } from '../../model/index.ts';
import type { ResultFile } from '../../model/index.ts';
import { formatMs } from './format.ts';

/** One warning. */
export interface ResultWarning {
  /** Short tag for the table. */
  tag: string;
  /** Full sentence for the tooltip and the report. */
  detail: string;
}

/** Samples should span at least this many timestamp quanta (DESIGN: "≥ 100 quanta"). */
const MIN_QUANTA = 100;

/** The warnings of a result. */
export function resultWarnings(r: ResultFile): ResultWarning[] {
  const out: ResultWarning[] = [];
  const q = r.timing.quantumMs;
  const median = r.derived?.medianMs;
  if (q !== null && q > 0 && median !== undefined) {
    const spans = (median * r.timing.dispatchesPerSample) / q;
    if (spans < MIN_QUANTA) {
      out.push({
        tag: 'coarse timestamps',
        detail: `a sample spans only ${Math.max(0, Math.round(spans))} timestamp quanta of ${formatMs(q)} (want ≥ ${MIN_QUANTA}); see Environment for exact timestamps`,
      });
    }
  }
  if (r.timing.method === 'cpu-clock') {
    out.push({
      tag: 'CPU clock',
      detail: 'timed with the CPU clock (a labelled fallback), not device timestamps',
    });
  }
  const throttled = r.samples.throttled?.filter(Boolean).length ?? 0;
  if (throttled > 0) {
    out.push({
      tag: `${throttled} throttled`,
      detail: `${throttled} sample(s) taken while the GPU was throttled`,
    });
  }
  if (r.memory.oomRisk) {
    out.push({ tag: 'OOM risk', detail: 'memory use above 85% of the device' });
  }
  if (r.samples.partial) {
    out.push({
      tag: 'partial',
      detail: `the run ended early (${r.status}); these are the samples taken so far`,
    });
  }
  if (r.correctness && !r.correctness.passed) {
    out.push({
      tag: 'failed check',
      detail: 'the kernel failed its correctness check and was not timed',
    });
  }
  return out;
}

/**
 * Fraction of the ceiling that bounds the problem, when the environment knows it: GB/s of the
 * measured copy rate (else the datasheet bandwidth) for memory-bound problems such as decode,
 * TFLOP/s of the peak for compute-bound ones (src/model's boundOf decides by the ridge point).
 */
export function peakFraction(r: ResultFile): number | null {
  if (r.derived === null) return null;
  const ceilings = ceilingsOf(r.env);
  const memory = boundOf(r.config, ceilings) === 'memory';
  const ceiling = memory ? ceilings.peakGbps : ceilings.peakTflops;
  if (ceiling === undefined || ceiling <= 0) return null;
  return (memory ? r.derived.gbps : r.derived.tflops) / ceiling;
}
