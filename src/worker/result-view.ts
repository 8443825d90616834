/**
 * What the result detail view draws (criterion's per-benchmark page): descriptives, a histogram,
 * and the samples in the order they were taken with a rolling median so that drift shows —
 * computed here, in the stats worker, from src/stats, so the view only formats.
 */
import { describe, median, noiseWarnings, sortSamples, tukeyFences } from '../stats/index.ts';
import type { Description, StatWarning } from '../stats/index.ts';
import { histogram, type Bin } from './view-stats.ts';

/** One sample in run order. */
export interface TimelinePoint {
  /** Sample index (0 = first after warm-up). */
  i: number;
  /** Time, ms. */
  ms: number;
  /** Taken while the GPU was throttled. */
  throttled: boolean;
}

/** The rolling median at a sample index. */
export interface RollingPoint {
  /** Index of the window's centre. */
  i: number;
  /** Median of the window, ms. */
  ms: number;
}

/** Everything the result detail view shows besides the result file's own fields. */
export interface ResultView {
  /** Descriptives of all samples. */
  description: Description;
  /** Histogram bins up to Tukey's outer fence. */
  bins: Bin[];
  /** Samples above the histogram's upper edge. */
  above: number;
  /** Samples in run order, thinned to at most `maxPoints` (evenly, both ends kept). */
  timeline: TimelinePoint[];
  /** Rolling median over windows of `window` samples, in run order. */
  rolling: RollingPoint[];
  /** Rolling window, samples. */
  window: number;
  /** Upper edge of the charts' time axis (outer fence, or the max when nothing is beyond). */
  cutMs: number;
  /** Median of the first and of the last fifth of the run, ms (drift at a glance). */
  firstFifthMs: number;
  lastFifthMs: number;
  /** Hyperfine-style noise warnings (few samples, quantized, drift, bimodal, outliers, …). */
  warnings: StatWarning[];
}

/** Builds the detail view of one result's samples (run order), with optional throttle flags. */
export function resultView(
  ms: ArrayLike<number>,
  throttled: readonly boolean[] | undefined,
  options: { bins?: number; maxPoints?: number; quantumMs?: number | undefined } = {},
): ResultView {
  const sorted = sortSamples(ms, 'samples');
  const n = sorted.length;
  const min = sorted[0] ?? 0;
  const max = sorted[n - 1] ?? 0;
  const fence = tukeyFences(sorted).highSevere;
  const cutMs = fence > min && fence < max ? fence : max;
  const { bins, above } = histogram(sorted, min, cutMs, options.bins ?? 30);
  const maxPoints = Math.max(2, options.maxPoints ?? 2000);
  const step = Math.max(1, Math.ceil(n / maxPoints));
  const timeline: TimelinePoint[] = [];
  for (let i = 0; i < n; i += step) {
    timeline.push({ i, ms: ms[i] ?? 0, throttled: throttled?.[i] ?? false });
  }
  const lastIndex = n - 1;
  if (timeline[timeline.length - 1]?.i !== lastIndex) {
    timeline.push({
      i: lastIndex,
      ms: ms[lastIndex] ?? 0,
      throttled: throttled?.[lastIndex] ?? false,
    });
  }
  // A window of ~5% of the run (at least 5 samples) smooths noise but keeps slow drift.
  const window = Math.min(n, Math.max(5, Math.round(n / 20)));
  const rolling: RollingPoint[] = [];
  const rollStep = Math.max(1, Math.ceil((n - window + 1) / 400));
  const lastStart = n - window;
  for (let start = 0; start <= lastStart; start += rollStep) {
    rolling.push({ i: start + (window - 1) / 2, ms: median(slice(ms, start, start + window)) });
    // The last window always ends the line, so the line reaches the run's end.
    if (start < lastStart && start + rollStep > lastStart) start = lastStart - rollStep;
  }
  const fifth = Math.max(1, Math.floor(n / 5));
  return {
    description: describe(ms),
    bins,
    above,
    timeline,
    rolling,
    window,
    cutMs,
    firstFifthMs: median(slice(ms, 0, fifth)),
    lastFifthMs: median(slice(ms, n - fifth, n)),
    warnings: noiseWarnings(ms, { quantumMs: options.quantumMs }),
  };
}

function slice(ms: ArrayLike<number>, from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) out.push(ms[i] ?? 0);
  return out;
}
