/**
 * Warnings about data a verdict should not be trusted on, in hyperfine's spirit ("Statistical
 * outliers were detected…"): for one run (`noiseWarnings`) and for a comparison (`compare()`).
 */

import { diagnoseSide, type SideDiagnostics } from './diagnostics.ts';
import { sortSamples, type SampleInput } from './samples.ts';

/** What a warning is about; views may style or filter by it. */
export type StatWarningCode =
  | 'different-config'
  | 'few-samples'
  | 'quantized'
  | 'autocorrelated'
  | 'drift'
  | 'bimodal'
  | 'outliers'
  // Added by callers that know how the samples were taken (src/model/interleave.ts);
  // compare() never emits it.
  | 'separate-runs';

/** One warning: a stable code and a sentence fit to show as is. */
export interface StatWarning {
  /** Stable machine-readable code. */
  code: StatWarningCode;
  /** One or two plain sentences, including what to do about it. */
  message: string;
}

/**
 * Fewest samples per side for a faster/slower/same verdict. From the A/A simulation in
 * scripts/aa-min-samples.ts (lognormal σ = 10%, 2,000 trials per n, seed 1515): the speedup CI
 * alone calls two identical kernels different in 89.7% of trials at n = 1, 32.6% at n = 2, 9.7%
 * at n = 3 and 8.3% at n = 4; from n = 5 on (3.4%, then 5.5%, 5.0%, 5.4%) it stays within the
 * binomial scatter (±1 point) of the nominal 5%.
 */
export const MIN_SAMPLES = 5;

/** Options for `noiseWarnings`. */
export interface NoiseOptions {
  /** The engine's known timer quantum in ms (e.g. WebGPU's timestamp period × ticks / k). */
  quantumMs?: number | undefined;
  /** Name of the run in messages, e.g. 'baseline'; default none. */
  label?: string | undefined;
}

function pct(x: number): string {
  return `${Number((Math.abs(x) * 100).toPrecision(2))}%`;
}

function ms(x: number): string {
  return `${Number(x.toPrecision(3))} ms`;
}

/** The warnings one run's diagnostics call for, in a fixed order. */
export function warningsFromDiagnostics(d: SideDiagnostics, label?: string): StatWarning[] {
  const who = label !== undefined ? `${label}: ` : '';
  const out: StatWarning[] = [];
  if (d.n < MIN_SAMPLES) {
    out.push({
      code: 'few-samples',
      message: `${who}only ${d.n} sample${d.n === 1 ? '' : 's'}; at least ${MIN_SAMPLES} are needed before a verdict means anything (with n = 1 two identical kernels are called different about 9 times in 10).`,
    });
  }
  if (d.quantized) {
    out.push({
      code: 'quantized',
      message:
        d.resolution > 0
          ? `${who}times are quantized to steps of ${ms(d.resolution)}, coarse against the spread; differences below the step cannot be seen. Time several launches per sample (or use a finer timer).`
          : `${who}all ${d.n} times are identical: the timer cannot resolve this kernel's variation, so differences below its step cannot be seen. Time several launches per sample (or use a finer timer).`,
    });
  }
  if (d.autocorrelated) {
    out.push({
      code: 'autocorrelated',
      message: `${who}consecutive samples are correlated (lag-1 r = ${d.lag1.toFixed(2)}), so they carry less information than their count; the interval was widened with a block bootstrap. Interleave the runs (ABAB…) to cancel slow changes.`,
    });
  }
  if (d.drifting) {
    out.push({
      code: 'drift',
      message: `${who}times ${d.drift >= 0 ? 'rise' : 'fall'} during the run (about ${pct(d.drift)} from start to end, trend p = ${d.trendP.toPrecision(2)}): heat, clocks or background load changed. The interval was widened by the drift; interleave the runs (ABAB…) for a fair comparison.`,
    });
  }
  if (d.bimodal && d.modes !== null) {
    out.push({
      code: 'bimodal',
      message: `${who}the times form two clusters (around ${ms(d.modes[0])} and ${ms(d.modes[1])}); a median summarises neither well. Look for a second code path, clock state or a noisy neighbour.`,
    });
  }
  if (d.severeOutliers > 0) {
    out.push({
      code: 'outliers',
      message: `${who}statistical outliers were detected (${d.severeOutliers} severe, beyond 3×IQR). Consider re-running on a quiet system without interference from other programs.`,
    });
  }
  return out;
}

/**
 * Warnings for a single run of samples in recorded order: few-samples, quantized,
 * autocorrelated, drift, bimodal, outliers. Throws on empty or non-finite input.
 */
export function noiseWarnings(samples: SampleInput, options: NoiseOptions = {}): StatWarning[] {
  const sorted = sortSamples(samples, options.label ?? 'samples');
  return warningsFromDiagnostics(diagnoseSide(samples, sorted, options.quantumMs), options.label);
}
