/**
 * The Sweep view's state: vary S (or D) over sizes for several targets, save every result and
 * the sweep that groups them, and prepare what the charts draw (series with CI bands, roofline
 * points, ceilings) and the geomean speedups (from the stats worker).
 */
import { CONFIG_LIMITS, arithmeticIntensity, tflops } from '../../model/index.ts';
import type { AttentionConfig, ResultFile, StopRule } from '../../model/index.ts';
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
  /** Result id. */
  resultId: string;
}

/** One target's points across the sweep. */
export interface SweepSeries {
  /** Target key. */
  key: string;
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
  /** What to vary. */
  vary: 'seqLen' | 'headDim' = $state('seqLen');
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
  /** The sweep record shown. */
  readonly sweep: SweepRecord | null = $derived(this.#shown());
  /** Series per target. */
  readonly series: SweepSeries[] = $derived(this.sweep ? this.#series(this.sweep) : []);
  /** Roofline ceilings. */
  readonly ceilings: Ceilings = $derived(this.#ceilings());

  readonly #history: History;
  readonly #executor: Executor;
  readonly #stats: StatsClient;
  #cancelled = false;
  #cancel: (() => void) | null = null;

  constructor(history: History, executor: Executor, stats: StatsClient) {
    this.#history = history;
    this.#executor = executor;
    this.#stats = stats;
  }

  /** Runs every target at every size (sizes outer, targets inner), then shows the sweep. */
  async run(
    targets: readonly TargetRef[],
    base: AttentionConfig,
    stop: StopRule,
    options: { cache: 'cold' | 'warm'; seed: number },
  ): Promise<void> {
    const sizes = this.sizes;
    if (!sizes.ok || targets.length === 0 || this.progress !== null) return;
    this.#cancelled = false;
    this.errors = [];
    const record: SweepRecord = {
      id: newRunId('sweep'),
      createdAt: nowIso(),
      vary: this.vary,
      sizes: sizes.sizes,
      targets: targets.map(targetKey),
      cells: [],
    };
    // Sizes outer, targets inner: the order points start in and results are listed in.
    const points = sizes.sizes.flatMap((size) =>
      targets.map((target) => ({
        size,
        target,
        config: { ...base, [this.vary]: size },
        label: `${targetLabel(target)} at ${this.vary === 'seqLen' ? 'S' : 'D'}=${size}`,
      })),
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
          if (!outcome.ok) this.errors = [...this.errors, `${p.label}${on}: ${outcome.error}`];
          else if (outcome.value.status !== 'completed') {
            const r = outcome.value;
            this.errors = [
              ...this.errors,
              `${p.label}${on}: ${r.status}${r.error ? ` — ${r.error.message}` : ''}`,
            ];
          }
        },
      },
    );
    outcomes.forEach((o, i) => {
      const p = points[i];
      if (o?.ok === true && p) {
        record.cells.push({ size: p.size, target: targetKey(p.target), resultId: o.value.id });
      }
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

  /** Shows a sweep and computes its speedups in the worker. */
  async show(id: string | null): Promise<void> {
    this.sweepId = id;
    this.speedups = [];
    const sweep = this.sweep;
    const baseline = sweep?.targets[0];
    if (!sweep || baseline === undefined || sweep.targets.length < 2) return;
    const cells = this.#completed(sweep).map((c) => ({
      target: c.target,
      size: c.size,
      ms: Float64Array.from(c.result.samples.ms),
    }));
    try {
      this.speedups = await this.#stats.sweepSpeedups(cells, baseline);
    } catch (err) {
      this.errors = [
        ...this.errors,
        `speedups: ${err instanceof Error ? err.message : String(err)}`,
      ];
    }
  }

  // Cancel arrives between awaits, which flow analysis cannot see.
  #isCancelled(): boolean {
    return this.#cancelled;
  }

  #shown(): SweepRecord | null {
    return this.#history.sweeps.find((s) => s.id === this.sweepId) ?? null;
  }

  /** The sweep's completed cells with their results. */
  #completed(sweep: SweepRecord): { size: number; target: string; result: ResultFile }[] {
    return sweep.cells.flatMap((cell) => {
      const result = this.#history.get(cell.resultId);
      return result?.status === 'completed' && result.derived !== null
        ? [{ size: cell.size, target: cell.target, result }]
        : [];
    });
  }

  #series(sweep: SweepRecord): SweepSeries[] {
    const cells = this.#completed(sweep);
    return sweep.targets.map((key) => {
      const points = cells
        .filter((c) => c.target === key)
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
              resultId: r.id,
            },
          ];
        })
        .sort((a, b) => a.size - b.size);
      return { key, label: keyLabel(key), points };
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
