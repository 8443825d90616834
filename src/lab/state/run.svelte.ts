/**
 * The Run view's session: runs the selected targets one after another, streams each run's
 * samples into a LiveStats, and keeps every result file (failed and cancelled ones too) in the
 * history. State is a tagged union, the same run states browser, runner and CLI share.
 */
import { gbps, maxSamples, tflops } from '../../model/index.ts';
import type {
  AttentionConfig,
  Correctness,
  ResultFile,
  RunProgress,
  RunState,
  StopRule,
} from '../../model/index.ts';
import type { StatsClient } from '../stats/client.ts';
import { targetLabel, type TargetRef } from '../lib/targets.ts';
import { Executor, newRunId, type RunHandle } from './executor.ts';
import type { History } from './history.svelte.ts';
import { LiveStats } from './live.svelte.ts';

/** Progress of the run in flight. */
export interface SessionProgress {
  /** Phase reported by the engine: setup, checking, warmup, timing. */
  phase: string;
  /** Samples so far. */
  samples: number;
  /** Samples the stop rule allows at most. */
  expected: number;
  /** Wall time since start, ms. */
  elapsedMs: number;
  /** During warm-up: launches done and planned, time left (ms, null: not known yet). */
  warmup: { launches: number; planned: number; etaMs: number | null } | null;
  /** How far the phase is, 0..1, for the progress bar (null: indeterminate). */
  fraction: number | null;
  /** For a time budget: ms spent timing and the budget. */
  budget: { spentMs: number; budgetMs: number } | null;
}

/**
 * The progress bar's fraction: warm-up launches, else samples of the count (or of the CI rule's
 * cap), else the time budget spent — so a time-budget bar advances with time.
 */
export function progressFraction(p: RunProgress, stop: StopRule, expected: number): number | null {
  const clamp = (x: number): number => Math.max(0, Math.min(1, x));
  if (p.phase === 'warmup') {
    return p.warmup && p.warmup.planned > 0 ? clamp(p.warmup.launches / p.warmup.planned) : null;
  }
  if (p.phase !== 'timing') return null;
  if (stop.kind === 'time') return clamp((p.timingMs ?? p.elapsedMs) / stop.budgetMs);
  return expected > 0 ? clamp(p.samples / expected) : null;
}

/** The headline figures of the run shown. */
export interface RunFigures {
  /** Median, ms. */
  medianMs: number;
  /** CI of the median, ms (null: too few samples). */
  ci: readonly [number, number] | null;
  /** How the CI was made, for its label. */
  ciKind: 'bootstrap' | 'running';
  tflops: number;
  gbps: number;
  /** Samples. */
  n: number;
  /** True when these are the result file's final figures. */
  final: boolean;
}

/** One target's run within a session. */
export interface SessionRun {
  /** Run id. */
  id: string;
  /** Target. */
  target: TargetRef;
  /** Display label. */
  label: string;
  /** The config it ran with. */
  config: AttentionConfig;
  /** State. */
  state: RunState;
  /** The result file once it ended (any status). */
  result: ResultFile | null;
  /** Why it failed without or with a result. */
  error: string | null;
}

/** The Run view's session. */
export class RunSession {
  /** Runs of the last Run press, in order. */
  runs: SessionRun[] = $state.raw([]);
  /** Index of the run being shown live. */
  current = $state(-1);
  /** Live statistics of the current run. */
  live: LiveStats | null = $state.raw(null);
  /** Progress of the current run. */
  progress: SessionProgress | null = $state.raw(null);
  /** Correctness check of the current run, as soon as it is known. */
  check: Correctness | null = $state.raw(null);
  /** True from Cancel until the batch has stopped. */
  cancelling = $state(false);
  /** True while any run is queued or running. */
  readonly busy = $derived(this.runs.some((r) => r.state === 'queued' || r.state === 'running'));
  /** The run being shown. */
  readonly shown: SessionRun | null = $derived(this.runs[this.current] ?? null);
  /** Figures of the run shown: final ones from its result, else running ones from the snapshot. */
  readonly figures: RunFigures | null = $derived(this.#figures());

  readonly #executor: Executor;
  readonly #stats: StatsClient;
  readonly #history: History;
  #handle: RunHandle | null = null;
  #cancelled = false;

  constructor(executor: Executor, stats: StatsClient, history: History) {
    this.#executor = executor;
    this.#stats = stats;
    this.#history = history;
  }

  /** Runs each target in turn with the same config, stop rule and seed. */
  async start(
    targets: readonly TargetRef[],
    config: AttentionConfig,
    stop: StopRule,
    options: { cache: 'cold' | 'warm'; seed: number },
  ): Promise<void> {
    if (this.busy || targets.length === 0) return;
    this.#cancelled = false;
    this.cancelling = false;
    this.runs = targets.map((target) => ({
      id: newRunId(),
      target,
      label: targetLabel(target),
      config,
      state: 'queued',
      result: null,
      error: null,
    }));
    for (let i = 0; i < this.runs.length; i++) {
      if (this.#isCancelled()) {
        this.#patch(i, { state: 'cancelled' });
        continue;
      }
      await this.#runOne(i, config, stop, options);
    }
    this.cancelling = false;
  }

  /** Cancels the run in flight and the ones still queued. */
  cancel(): void {
    if (!this.busy) return;
    this.#cancelled = true;
    this.cancelling = true;
    this.#handle?.cancel();
  }

  async #runOne(
    index: number,
    config: AttentionConfig,
    stop: StopRule,
    options: { cache: 'cold' | 'warm'; seed: number },
  ): Promise<void> {
    const run = this.runs[index];
    if (!run) return;
    this.current = index;
    this.#patch(index, { state: 'running' });
    const live = new LiveStats(this.#stats, run.id);
    this.live = live;
    this.check = null;
    const expected = maxSamples(stop);
    this.progress = {
      phase: 'setup',
      samples: 0,
      expected,
      elapsedMs: 0,
      warmup: null,
      fraction: null,
      budget: null,
    };
    const handle = this.#executor.start(
      { id: run.id, target: run.target, config, stop, cache: options.cache, seed: options.seed },
      {
        onSamples: (ms) => {
          live.push(ms);
        },
        onProgress: (p) => {
          const total = p.expected ?? expected;
          this.progress = {
            phase: p.phase,
            samples: p.samples,
            expected: total,
            elapsedMs: p.elapsedMs,
            warmup: p.phase === 'warmup' ? (p.warmup ?? null) : null,
            fraction: progressFraction(p, stop, total),
            budget:
              stop.kind === 'time'
                ? { spentMs: p.timingMs ?? p.elapsedMs, budgetMs: stop.budgetMs }
                : null,
          };
        },
        onCheck: (c) => {
          this.check = c;
        },
        onMemory: () => undefined,
      },
    );
    this.#handle = handle;
    try {
      let result = await handle.done;
      if (
        result.derived === null &&
        result.samples.ms.length > 0 &&
        result.status === 'completed'
      ) {
        const derived = await this.#stats.derive(
          result.config,
          Float64Array.from(result.samples.ms),
          options.seed,
        );
        result = { ...result, derived };
      }
      // Engines that report samples only in the result still get a histogram.
      if (live.received === 0) live.push(result.samples.ms);
      this.#patch(index, { result, state: result.status, error: result.error?.message ?? null });
      if (result.correctness) this.check = result.correctness;
      await this.#history.add([result]);
    } catch (err) {
      this.#patch(index, {
        state: 'failed',
        error: err instanceof Error ? err.message : String(err),
      });
    } finally {
      this.#handle = null;
      await live.finish();
    }
  }

  #figures(): RunFigures | null {
    const run = this.shown;
    if (!run) return null;
    const d = run.result?.derived;
    if (run.result && d) {
      return {
        medianMs: d.medianMs,
        ci: d.ci,
        ciKind: 'bootstrap',
        tflops: d.tflops,
        gbps: d.gbps,
        n: run.result.samples.ms.length,
        final: true,
      };
    }
    const snap = this.live?.snapshot;
    if (!snap || snap.medianMs <= 0) return null;
    return {
      medianMs: snap.medianMs,
      ci: snap.ci,
      ciKind: 'running',
      tflops: tflops(run.config, snap.medianMs),
      gbps: gbps(run.config, snap.medianMs),
      n: snap.n,
      final: false,
    };
  }

  // Cancel arrives between awaits, which flow analysis cannot see.
  #isCancelled(): boolean {
    return this.#cancelled;
  }

  #patch(index: number, change: Partial<SessionRun>): void {
    this.runs = this.runs.map((r, i) => (i === index ? { ...r, ...change } : r));
  }
}
