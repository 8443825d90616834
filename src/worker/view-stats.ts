/**
 * Statistics the lab's views draw — live histogram and running median with its CI, ECDF and
 * density curves, box figures, sweep geomeans — computed here, in the stats worker, from
 * src/stats, so that views only format and the page stays smooth while samples stream.
 */
import {
  compare,
  geomean,
  quantile,
  sortSamples,
  tukeyFences,
  tukeyOutliersSorted,
} from '../stats/index.ts';
import type { ComparisonResult, CompareOptions, SortedSamples } from '../stats/index.ts';
import { medianRankInterval } from '../model/index.ts';

/** One histogram bin over [x0, x1). */
export interface Bin {
  /** Lower edge, ms. */
  x0: number;
  /** Upper edge, ms. */
  x1: number;
  /** Samples in the bin. */
  count: number;
}

/** What the Run view shows while samples stream in. */
export interface LiveSnapshot {
  /** Samples so far. */
  n: number;
  /** Running median, ms. */
  medianMs: number;
  /** Distribution-free ~95% CI of the running median (order statistics), ms; null below 10. */
  ci: [number, number] | null;
  /** Histogram over [min, hi]; samples above hi are counted in `above`. */
  bins: Bin[];
  /** Samples beyond the histogram's upper edge (far-out values: above Q3 + 3·IQR). */
  above: number;
  /** Smallest and largest sample, ms. */
  min: number;
  max: number;
}

/** A point of an empirical CDF: P(X ≤ x) = p. */
export interface EcdfPoint {
  x: number;
  p: number;
}

/** A density estimate at x (Gaussian KDE), for violins. */
export interface DensityPoint {
  x: number;
  density: number;
}

/** Box-plot figures (Tukey whiskers: furthest samples within 1.5·IQR of the quartiles). */
export interface BoxFigures {
  q1: number;
  median: number;
  q3: number;
  whiskerLo: number;
  whiskerHi: number;
}

/** Chart-ready distribution of one sample. */
export interface DistributionView {
  ecdf: EcdfPoint[];
  density: DensityPoint[];
  box: BoxFigures;
  min: number;
  max: number;
  /** Tukey's outer fence Q3 + 3·IQR: charts may cut their axis here. */
  fenceHi: number;
  /** Samples above the outer fence (far-out slow samples). */
  farOut: number;
}

/** Everything the Compare view shows. */
export interface CompareView {
  comparison: ComparisonResult;
  baseline: DistributionView;
  candidate: DistributionView;
}

/** Accumulates streamed samples; snapshots are O(n log n) and run in the worker. */
export class LiveAccumulator {
  #data = new Float64Array(1024);
  #n = 0;

  /** Samples so far. */
  get n(): number {
    return this.#n;
  }

  /** Appends samples (non-finite values are rejected with the index). */
  push(ms: ArrayLike<number>): void {
    for (let i = 0; i < ms.length; i++) {
      const v = ms[i];
      if (v === undefined || !Number.isFinite(v)) {
        throw new RangeError(
          `live samples: value at index ${i} is ${String(v)}; expected a finite number`,
        );
      }
    }
    if (this.#n + ms.length > this.#data.length) {
      const grown = new Float64Array(Math.max(this.#data.length * 2, this.#n + ms.length));
      grown.set(this.#data.subarray(0, this.#n));
      this.#data = grown;
    }
    for (let i = 0; i < ms.length; i++) this.#data[this.#n + i] = ms[i] ?? 0;
    this.#n += ms.length;
  }

  /** The current snapshot with `binCount` bins; null before the first sample. */
  snapshot(binCount: number): LiveSnapshot | null {
    if (this.#n === 0) return null;
    const sorted = sortSamples(this.#data.subarray(0, this.#n), 'live samples');
    const n = sorted.length;
    const median = quantile(sorted, 0.5);
    const ci = n >= 10 ? medianRankInterval(sorted) : null;
    const min = sorted[0] ?? 0;
    const max = sorted[n - 1] ?? 0;
    // Far-out slow samples (Tukey's outer fence) would squash the bulk into one bar; they are
    // counted and named instead of drawn.
    const fence = tukeyFences(sorted).highSevere;
    const hi = fence > min && fence < max ? fence : max;
    const { bins, above } = histogram(sorted, min, hi, binCount);
    return { n, medianMs: median, ci, bins, above, min, max };
  }
}

/** Equal-width bins over [lo, hi] of sorted samples; values above hi are counted in `above`. */
export function histogram(
  sorted: SortedSamples,
  lo: number,
  hi: number,
  binCount: number,
): { bins: Bin[]; above: number } {
  const count = Math.max(1, Math.floor(binCount));
  // A constant sample still gets a visible bar: widen the range by ±0.5% around it.
  const span = hi > lo ? hi - lo : Math.max(Math.abs(lo) * 0.01, 1e-9);
  const start = hi > lo ? lo : lo - span / 2;
  const width = span / count;
  const bins: Bin[] = Array.from({ length: count }, (_, i) => ({
    x0: start + i * width,
    x1: start + (i + 1) * width,
    count: 0,
  }));
  let above = 0;
  for (const v of sorted) {
    if (v > start + span) {
      above++;
      continue;
    }
    const index = Math.min(count - 1, Math.max(0, Math.floor((v - start) / width)));
    const bin = bins[index];
    if (bin) bin.count++;
  }
  return { bins, above };
}

/** ECDF of sorted samples, thinned to at most `maxPoints` steps (always keeps both ends). */
export function ecdf(sorted: SortedSamples, maxPoints = 256): EcdfPoint[] {
  const n = sorted.length;
  const step = Math.max(1, Math.ceil(n / maxPoints));
  const points: EcdfPoint[] = [];
  for (let i = 0; i < n; i += step) points.push({ x: sorted[i] ?? 0, p: (i + 1) / n });
  const last = points[points.length - 1];
  if (last?.p !== 1) points.push({ x: sorted[n - 1] ?? 0, p: 1 });
  return points;
}

/**
 * Gaussian KDE on `points` x values spanning the sample ± 1 bandwidth (Silverman's rule of thumb
 * with the IQR guard); a constant sample gets a narrow spike of unit area.
 */
export function density(sorted: SortedSamples, points = 64): DensityPoint[] {
  const n = sorted.length;
  const sd = standardDeviation(sorted);
  const iqr = quantile(sorted, 0.75) - quantile(sorted, 0.25);
  const spread = Math.min(sd, iqr / 1.34) || sd || Math.abs(sorted[0] ?? 1) * 0.01 || 1e-9;
  const h = 0.9 * spread * n ** -0.2;
  const lo = (sorted[0] ?? 0) - h;
  const hi = (sorted[n - 1] ?? 0) + h;
  const out: DensityPoint[] = [];
  const norm = 1 / (n * h * Math.sqrt(2 * Math.PI));
  for (let k = 0; k < points; k++) {
    const x = lo + ((hi - lo) * k) / (points - 1);
    let sum = 0;
    for (const v of sorted) {
      const z = (x - v) / h;
      if (z > -6 && z < 6) sum += Math.exp(-0.5 * z * z);
    }
    out.push({ x, density: sum * norm });
  }
  return out;
}

function standardDeviation(sorted: SortedSamples): number {
  const n = sorted.length;
  if (n < 2) return 0;
  let mean = 0;
  for (const v of sorted) mean += v;
  mean /= n;
  let ss = 0;
  for (const v of sorted) ss += (v - mean) ** 2;
  return Math.sqrt(ss / (n - 1));
}

/** Box figures with Tukey whiskers. */
export function boxFigures(sorted: SortedSamples): BoxFigures {
  const q1 = quantile(sorted, 0.25);
  const q3 = quantile(sorted, 0.75);
  const { lowMild, highMild } = tukeyFences(sorted);
  let whiskerLo = q1;
  let whiskerHi = q3;
  for (const v of sorted) {
    if (v >= lowMild) {
      whiskerLo = v;
      break;
    }
  }
  for (let i = sorted.length - 1; i >= 0; i--) {
    const v = sorted[i] ?? q3;
    if (v <= highMild) {
      whiskerHi = v;
      break;
    }
  }
  return { q1, median: quantile(sorted, 0.5), q3, whiskerLo, whiskerHi };
}

/** Chart-ready view of one sample. */
export function distributionView(samples: ArrayLike<number>, name: string): DistributionView {
  const sorted = sortSamples(samples, name);
  const { fences, severeHigh } = tukeyOutliersSorted(sorted);
  return {
    ecdf: ecdf(sorted),
    density: density(sorted),
    box: boxFigures(sorted),
    min: sorted[0] ?? 0,
    max: sorted[sorted.length - 1] ?? 0,
    fenceHi: fences.highSevere,
    farOut: severeHigh,
  };
}

/** A result's recorded median CI (its `derived` figures), for the side it is on. */
export interface RecordedCi {
  /** The CI of the median, ms. */
  ci: readonly [number, number];
  /** Its confidence, e.g. 0.95. */
  confidence: number;
}

/**
 * The comparison plus both distributions, for the Compare view. A side's median CI is the one
 * its result recorded (`deriveFigures`, the figure Results shows) when given at the same
 * confidence, so one result never shows two different CIs; the speedup CI is compare()'s own.
 */
export function compareView(
  baseline: ArrayLike<number>,
  candidate: ArrayLike<number>,
  options: CompareOptions,
  recorded: { baseline?: RecordedCi | null; candidate?: RecordedCi | null } = {},
): CompareView {
  const comparison = compare(baseline, candidate, options);
  const confidence = options.confidence ?? 0.95;
  const pick = (own: [number, number], r: RecordedCi | null | undefined): [number, number] =>
    r && Math.abs(r.confidence - confidence) < 1e-9 ? [r.ci[0], r.ci[1]] : own;
  comparison.baseline.ci = pick(comparison.baseline.ci, recorded.baseline);
  comparison.candidate.ci = pick(comparison.candidate.ci, recorded.candidate);
  return {
    comparison,
    baseline: distributionView(baseline, 'baseline'),
    candidate: distributionView(candidate, 'candidate'),
  };
}

/** One target's samples at one sweep size. */
export interface SweepCell {
  /** Target key. */
  target: string;
  /** The varied size (S or D). */
  size: number;
  /** Samples, ms. */
  ms: ArrayLike<number>;
}

/** Speedup of one target over the sweep's baseline target. */
export interface SweepSpeedup {
  /** Target key. */
  target: string;
  /** Speedup at each size both targets ran, with its CI and verdict. */
  points: { size: number; estimate: number; ci: [number, number]; verdict: string }[];
  /** Geometric mean of the speedup estimates over those sizes (null: no common size). */
  geomean: number | null;
}

/**
 * Speedups of every other target over `baseline` at each size (via `compare`), and their geomean
 * across the sweep.
 */
export function sweepSpeedups(
  cells: readonly SweepCell[],
  baseline: string,
  options: CompareOptions,
): SweepSpeedup[] {
  const targets = [...new Set(cells.map((c) => c.target))].filter((t) => t !== baseline);
  return targets.map((target) => {
    const points: SweepSpeedup['points'] = [];
    for (const cell of cells) {
      if (cell.target !== target) continue;
      const base = cells.find((c) => c.target === baseline && c.size === cell.size);
      if (!base || base.ms.length === 0 || cell.ms.length === 0) continue;
      const r = compare(base.ms, cell.ms, options);
      points.push({
        size: cell.size,
        estimate: r.speedup.estimate,
        ci: r.speedup.ci,
        verdict: r.verdict,
      });
    }
    points.sort((a, b) => a.size - b.size);
    return {
      target,
      points,
      geomean: points.length === 0 ? null : geomean(points.map((p) => p.estimate)),
    };
  });
}
