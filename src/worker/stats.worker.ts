/**
 * The stats worker: the lab's views get every statistic from here (through comlink), so a
 * bootstrap or a 100k-sample sort never blocks the page. Pure functions live in src/stats and
 * ./view-stats.ts; this file only holds live sessions and exposes the API.
 */
import { expose } from 'comlink';
import { bootstrapCI, compare, describe } from '../stats/index.ts';
import type {
  BootstrapOptions,
  ComparisonResult,
  CompareOptions,
  Description,
  Interval,
} from '../stats/index.ts';
import { deriveFigures } from '../model/index.ts';
import type { AttentionConfig, Derived } from '../model/index.ts';
import {
  LiveAccumulator,
  compareView,
  sweepSpeedups,
  type CompareView,
  type LiveSnapshot,
  type RecordedCi,
  type SweepCell,
  type SweepSpeedup,
} from './view-stats.ts';
import { resultView, type ResultView } from './result-view.ts';

/** Bootstrap options that can cross a worker boundary (no custom statistic function). */
export type PortableBootstrapOptions = Omit<BootstrapOptions, 'statistic'>;

/** The stats worker's API, as the lab sees it through comlink. */
export interface StatsApi {
  /** Descriptives of one sample (src/stats `describe`). */
  describe(samples: Float64Array): Description;
  /** Bootstrap CI of the median (src/stats `bootstrapCI`). */
  bootstrapCI(samples: Float64Array, options?: PortableBootstrapOptions): Interval;
  /** Full comparison, baseline first (src/stats `compare`). */
  compare(
    baseline: Float64Array,
    candidate: Float64Array,
    options?: CompareOptions,
  ): ComparisonResult;
  /** Comparison plus chart-ready distributions of both sides. */
  compareView(
    baseline: Float64Array,
    candidate: Float64Array,
    options?: CompareOptions,
    recorded?: { baseline?: RecordedCi | null; candidate?: RecordedCi | null },
  ): CompareView;
  /** Median, BCa CI, TFLOP/s and GB/s of samples (model `deriveFigures`). */
  derive(config: AttentionConfig, ms: Float64Array, seed: number): Derived | null;
  /** Speedups over a baseline target at each sweep size, and their geomean. */
  sweepSpeedups(cells: SweepCell[], baseline: string, options?: CompareOptions): SweepSpeedup[];
  /** The result detail view's figures: descriptives, histogram, samples in run order. */
  resultView(ms: Float64Array, throttled?: boolean[], quantumMs?: number): ResultView;
  /** Opens a live session for a run's streaming samples. */
  liveStart(id: string): void;
  /** Appends samples to a live session. */
  livePush(id: string, ms: Float64Array): void;
  /** Histogram and running median/CI of a live session; null before the first sample. */
  liveSnapshot(id: string, bins: number): LiveSnapshot | null;
  /** Closes a live session. */
  liveEnd(id: string): void;
}

const live = new Map<string, LiveAccumulator>();

function session(id: string): LiveAccumulator {
  const acc = live.get(id);
  if (!acc) throw new Error(`stats worker: no live session "${id}"`);
  return acc;
}

/** The implementation (exported for tests that call it without a worker). */
export const statsApi: StatsApi = {
  describe: (samples) => describe(samples),
  bootstrapCI: (samples, options) => bootstrapCI(samples, options),
  compare: (baseline, candidate, options) => compare(baseline, candidate, options),
  compareView: (baseline, candidate, options = {}, recorded = {}) =>
    compareView(baseline, candidate, options, recorded),
  derive: (config, ms, seed) => deriveFigures(config, Array.from(ms), { seed }),
  sweepSpeedups: (cells, baseline, options = {}) => sweepSpeedups(cells, baseline, options),
  resultView: (ms, throttled, quantumMs) => resultView(ms, throttled, { quantumMs }),
  liveStart: (id) => {
    live.set(id, new LiveAccumulator());
  },
  livePush: (id, ms) => {
    session(id).push(ms);
  },
  liveSnapshot: (id, bins) => session(id).snapshot(bins),
  liveEnd: (id) => {
    live.delete(id);
  },
};

// Expose only inside a worker, so tests can import `statsApi` directly.
if (typeof WorkerGlobalScope !== 'undefined' && self instanceof WorkerGlobalScope) {
  expose(statsApi);
}
