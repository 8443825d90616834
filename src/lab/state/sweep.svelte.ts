/**
 * The Sweep view's state: vary S (or D) over sizes for several targets, save every result and
 * the sweep that groups them, and prepare what the charts draw (series with CI bands, roofline
 * points, ceilings) and the geomean speedups (from the stats worker).
 */
import {
  AXIS_SHORT,
  CONFIG_LIMITS,
  arithmeticIntensity,
  axisValueLabel,
  parseAxisValues,
  tflops,
} from '../../model/index.ts';
import type {
  AttentionConfig,
  AxisParse,
  AxisValue,
  NumericAxis,
  ResultFile,
  StopRule,
} from '../../model/index.ts';
import type { StatsClient } from '../stats/client.ts';
import type { SweepSpeedup } from '../../worker/view-stats.ts';
import { parseSizes } from '../lib/sizes.ts';
import { nowIso } from '../lib/format.ts';
import { keyLabel, targetKey, targetLabel, type TargetRef } from '../lib/targets.ts';
import { Executor, newRunId, type RunHandle } from './executor.ts';
import { fanOutPoints, lanesFor } from './fanout.ts';
import { LaneTracker, type LaneProgress } from './lane-progress.ts';
import type { History } from './history.svelte.ts';
import type { SweepRecord } from '../store/db.ts';

/** One point of a series: a target at a size. */
export interface SweepPoint {
  size: number;
  medianMs: number;
  /** CI of the median, ms. */
  ciMs: [number, number];
  tflops: number;
  /** TFLOP/s at the CI's ends (fast end first). */
  tflopsCi: [number, number];
  /** Arithmetic intensity, FLOP/byte. */
  intensity: number;
  /** Samples. */
  n: number;
  /** GB/s at the median (minimal bytes). */
  gbps: number;
  /** Result id. */
  resultId: string;
}

/** One target's points across the sweep (per split value, when the sweep has a split). */
export interface SweepSeries {
  /** Series key: the target key, plus `#variant` with a split. */
  key: string;
  /** Target key. */
  target: string;
  /** Split value label (`causal`, `dtype=f16`), or null. */
  variant: string | null;
  /** Display label. */
  label: string;
  /** Points in size order. */
  points: SweepPoint[];
}

/** Device ceilings for the roofline, when the results' environments say. */
export interface Ceilings {
  peakTflops: number | null;
  peakGbps: number | null;
  /** Where they came from, e.g. the GPU name. */
  source: string | null;
}

/** Sweep progress. */
export interface SweepProgress {
  /** Runs done. */
  done: number;
  /** Runs in all. */
  total: number;
  /** What runs now. */
  label: string;
}

/** The Sweep view's state. */
export class SweepState {
  /** Sizes as typed. */
  sizesText = $state('64,96,128');
  /** What to vary (the chart's x axis). */
  vary: NumericAxis = $state('seqLen');
  /** A second, categorical axis: each of its values becomes its own series. */
  split: 'none' | 'causal' | 'dtype' = $state('none');
  /** The dtypes of a dtype split, as typed. */
  dtypesText = $state('f32,f16');
  /** The chart's y metric. */
  metric: 'time' | 'tflops' = $state('time');
  /** The sweep shown. */
  sweepId: string | null = $state(null);
  /** Progress while running. */
  progress: SweepProgress | null = $state.raw(null);
  /** Failures of the last sweep (it goes on past them). */
  errors: string[] = $state.raw([]);
  /** Per-lane progress of the sweep running now (one row per lane it uses), else empty. */
  lanes: LaneProgress[] = $state.raw([]);
  /** Speedups over the baseline target with their geomean (from the stats worker). */
  speedups: SweepSpeedup[] = $state.raw([]);
  /** Sizes check, live. */
  readonly sizes = $derived(
    parseSizes(this.sizesText, CONFIG_LIMITS[this.vary].min, CONFIG_LIMITS[this.vary].max),
  );
  /** The split's values, live (`both` for causal). */
  readonly splitValues: AxisParse = $derived(
    this.split === 'none'
      ? { ok: true, values: [] }
      : parseAxisValues(this.split, this.split === 'causal' ? 'both' : this.dtypesText),
  );
  /** The sweep record shown. */
  readonly sweep: SweepRecord | null = $derived(this.#shown());
  /** Series per target. */
  readonly series: SweepSeries[] = $derived(this.sweep ? this.#series(this.sweep) : []);
  /** The shown sweep's completed results, in run order. */
  readonly results: ResultFile[] = $derived(
    this.sweep ? this.#completed(this.sweep).map((c) => c.result) : [],
  );
  /** Roofline ceilings. */
  readonly ceilings: Ceilings = $derived(this.#ceilings());

  readonly #history: History;
  readonly #executor: Executor;
  readonly #stats: StatsClient;
  #cancelled = false;
  #cancel: (() => void) | null = null;
  #showToken = 0;

  constructor(history: History, executor: Executor, stats: StatsClient) {
    this.#history = history;
    this.#executor = executor;
    this.#stats = stats;
  }

  /**
   * Runs every target at every size (and split value): sizes outer, targets inner. The sweep is
   * saved and shown from its first result on, and its speedups are recomputed as each finishes.
   */
  async run(
    targets: readonly TargetRef[],
    base: AttentionConfig,
    stop: StopRule,
    options: { cache: 'cold' | 'warm'; seed: number },
  ): Promise<void> {
    const sizes = this.sizes;
    const split = this.split;
    const splitValues = this.splitValues;
    if (!sizes.ok || !splitValues.ok || targets.length === 0 || this.progress !== null) return;
    this.#cancelled = false;
    this.errors = [];
    const variants: { value: AxisValue | null; label: string | null }[] =
      split === 'none'
        ? [{ value: null, label: null }]
        : splitValues.values.map((v) => ({ value: v, label: axisValueLabel(split, v) }));
    const record: SweepRecord = {
      id: newRunId('sweep'),
      createdAt: nowIso(),
      vary: this.vary,
      sizes: sizes.sizes,
      ...(split === 'none'
        ? {}
        : { split: { axis: split, values: variants.map((v) => v.label ?? '') } }),
      targets: targets.map(targetKey),
      cells: [],
    };
    await this.#history.addSweep(record);
    this.sweepId = record.id;
    // Sizes outer, split values next, targets inner: the order points start in and results
    // are listed in.
    const points = sizes.sizes.flatMap((size) =>
      variants.flatMap((variant) =>
        targets.map((target) => ({
          size,
          variant: variant.label,
          target,
          config: {
            ...base,
            [this.vary]: size,
            ...(split === 'none' || variant.value === null ? {} : { [split]: variant.value }),
          },
          label: `${targetLabel(target)} at ${AXIS_SHORT[this.vary]}=${size}${variant.label ? ` ${variant.label}` : ''}`,
        })),
      ),
    );
    const total = points.length;
    let done = 0;
    // Bookkeeping for cancel, not view state: a plain Set on purpose.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const handles = new Set<RunHandle>();
    this.#cancel = () => {
      for (const h of handles) h.cancel();
    };
    this.progress = { done, total, label: points[0]?.label ?? '' };
    const lanes = new LaneTracker((rows) => (this.lanes = rows));
    const cellOf = (i: number, resultId: string): SweepRecord['cells'][number] | null => {
      const p = points[i];
      if (!p) return null;
      return {
        size: p.size,
        target: targetKey(p.target),
        resultId,
        ...(p.variant === null ? {} : { variant: p.variant }),
      };
    };
    const outcomes = await fanOutPoints(
      points,
      (p) => lanesFor(p.target, this.#executor.devicesOf(p.target)),
      async (p, lane) => {
        const handle = this.#executor.start({
          id: newRunId('sw'),
          target: p.target,
          config: p.config,
          stop,
          cache: options.cache,
          seed: options.seed,
          device: lane.device,
        });
        handles.add(handle);
        try {
          return await this.#finish(await handle.done, options.seed);
        } finally {
          handles.delete(handle);
        }
      },
      {
        cancelled: () => this.#isCancelled(),
        onStart: (i, lane) => {
          lanes.start(lane, points[i]?.label ?? '');
          this.progress = { done, total, label: lanes.runningLabel() };
        },
        onSettled: (i, outcome) => {
          const p = points[i];
          if (outcome.lane)
            lanes.end(outcome.lane, outcome.ok && outcome.value.status === 'completed');
          done += 1;
          this.progress = { done, total, label: lanes.runningLabel() };
          if (!p) return;
          const on = outcome.lane && lanes.count > 1 ? ` on ${outcome.lane.label}` : '';
          if (!outcome.ok) {
            this.errors = [...this.errors, `${p.label}${on}: ${outcome.error}`];
            return;
          }
          const r = outcome.value;
          if (r.status !== 'completed') {
            this.errors = [
              ...this.errors,
              `${p.label}${on}: ${r.status}${r.error ? ` — ${r.error.message}` : ''}`,
            ];
          }
          // Saved after every point: the table and charts grow as the sweep runs, and a
          // reload mid-sweep keeps what finished.
          const cell = cellOf(i, r.id);
          if (cell) record.cells.push(cell);
          void this.#history
            .addSweep({ ...record, cells: [...record.cells] })
            .then(() => this.show(record.id));
        },
      },
    );
    // Final order: the points' order, whatever order they finished in.
    record.cells = outcomes.flatMap((o, i) => {
      const cell = o?.ok === true ? cellOf(i, o.value.id) : null;
      return cell ? [cell] : [];
    });
    this.progress = null;
    this.lanes = [];
    this.#cancel = null;
    await this.#history.addSweep(record);
    await this.show(record.id);
  }

  /** Derives a runner result's statistics when it came without them, and saves it. */
  async #finish(raw: ResultFile, seed: number): Promise<ResultFile> {
    let result = raw;
    if (result.derived === null && result.samples.ms.length > 0) {
      result = {
        ...result,
        derived: await this.#stats.derive(
          result.config,
          Float64Array.from(result.samples.ms),
          seed,
        ),
      };
    }
    await this.#history.add([result]);
    return result;
  }

  /** Cancels the sweep: no new point starts, and the runs in flight are cancelled. */
  cancel(): void {
    this.#cancelled = true;
    this.#cancel?.();
  }

  /** Shows a sweep and computes its speedups (per split value) in the worker. */
  async show(id: string | null): Promise<void> {
    const token = ++this.#showToken;
    if (id !== this.sweepId) this.speedups = [];
    this.sweepId = id;
    const sweep = this.sweep;
    const baseline = sweep?.targets[0];
    if (!sweep || baseline === undefined || sweep.targets.length < 2) return;
    const cells = this.#completed(sweep);
    const variants = sweep.split ? sweep.split.values : [null];
    try {
      const all: SweepSpeedup[] = [];
      for (const variant of variants) {
        const mine = cells
          .filter((c) => (c.variant ?? null) === variant)
          .map((c) => ({
            target: seriesKey(c.target, variant),
            size: c.size,
            ms: Float64Array.from(c.result.samples.ms),
          }));
        all.push(...(await this.#stats.sweepSpeedups(mine, seriesKey(baseline, variant))));
      }
      // A later call (the next finished cell) supersedes this one.
      if (token === this.#showToken) this.speedups = all;
    } catch (err) {
      this.errors = [
        ...this.errors,
        `speedups: ${err instanceof Error ? err.message : String(err)}`,
      ];
    }
  }

  /** Display label of a series key. */
  seriesLabel(key: string): string {
    const at = key.indexOf('#');
    return at < 0 ? keyLabel(key) : `${keyLabel(key.slice(0, at))} · ${key.slice(at + 1)}`;
  }

  // Cancel arrives between awaits, which flow analysis cannot see.
  #isCancelled(): boolean {
    return this.#cancelled;
  }

  #shown(): SweepRecord | null {
    return this.#history.sweeps.find((s) => s.id === this.sweepId) ?? null;
  }

  /** The sweep's completed cells with their results. */
  #completed(
    sweep: SweepRecord,
  ): { size: number; target: string; variant: string | null; result: ResultFile }[] {
    return sweep.cells.flatMap((cell) => {
      const result = this.#history.get(cell.resultId);
      return result?.status === 'completed' && result.derived !== null
        ? [{ size: cell.size, target: cell.target, variant: cell.variant ?? null, result }]
        : [];
    });
  }

  #series(sweep: SweepRecord): SweepSeries[] {
    const cells = this.#completed(sweep);
    const variants = sweep.split ? sweep.split.values : [null];
    const pairs = variants.flatMap((variant) =>
      sweep.targets.map((target) => ({ target, variant })),
    );
    return pairs.map(({ target, variant }) => {
      const key = seriesKey(target, variant);
      const points = cells
        .filter((c) => c.target === target && c.variant === variant)
        .flatMap(({ size, result: r }): SweepPoint[] => {
          const d = r.derived;
          if (d === null) return [];
          return [
            {
              size,
              medianMs: d.medianMs,
              ciMs: d.ci,
              tflops: d.tflops,
              tflopsCi: [tflops(r.config, d.ci[1]), tflops(r.config, d.ci[0])],
              intensity: arithmeticIntensity(r.config),
              n: r.samples.ms.length,
              gbps: d.gbps,
              resultId: r.id,
            },
          ];
        })
        .sort((a, b) => a.size - b.size);
      return { key, target, variant, label: this.seriesLabel(key), points };
    });
  }

  #ceilings(): Ceilings {
    const sweep = this.sweep;
    if (!sweep) return { peakTflops: null, peakGbps: null, source: null };
    for (const { result } of this.#completed(sweep)) {
      const gpu = result.env.gpu;
      if (gpu && (gpu.peakTflops !== undefined || gpu.peakGbps !== undefined)) {
        return {
          peakTflops: gpu.peakTflops ?? null,
          // The measured copy rate is the honest bandwidth roof; the datasheet figure otherwise.
          peakGbps: gpu.copyGbps ?? gpu.peakGbps ?? null,
          source: gpu.name,
        };
      }
    }
    return { peakTflops: null, peakGbps: null, source: null };
  }
}

/** A series key: the target key, plus `#variant` when the sweep has a split axis. */
export function seriesKey(target: string, variant: string | null): string {
  return variant === null ? target : `${target}#${variant}`;
}
