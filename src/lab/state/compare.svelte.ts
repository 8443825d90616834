/**
 * The Compare view's state: two results (baseline first), their comparison and distributions
 * from the stats worker, the environment difference, and interleaved A/B runs (ABAB…) so drift
 * and heat hit both sides alike.
 */
import { problemConfig, sampleQuantumMs } from '../lib/problem.ts';
import { combineRounds, diffEnv, separateRunsWarning } from '../../model/index.ts';
import type { AttentionConfig, EnvDifference, ResultFile } from '../../model/index.ts';
import type { StatsClient } from '../stats/client.ts';
import type { CompareView } from '../../worker/view-stats.ts';
import { resultTitle } from '../lib/format.ts';
import { targetLabel, type TargetRef } from '../lib/targets.ts';
import { Executor, newRunId } from './executor.ts';
import { DevicePin } from './device-pin.ts';
import type { History } from './history.svelte.ts';

/** Progress of an interleaved run. */
export interface InterleaveProgress {
  /** Round, 1-based. */
  round: number;
  /** Rounds in all. */
  rounds: number;
  /** Which side is running now. */
  side: 'A' | 'B';
  /** Label of the side running now. */
  label: string;
}

/** The Compare view's state. */
export class CompareState {
  /** Baseline result id. */
  baselineId: string | null = $state(null);
  /** Candidate result id. */
  candidateId: string | null = $state(null);
  /** Practical-equivalence margin for the verdict, percent as typed. */
  marginPercent = $state('2');
  /** Judge results whose configs differ (the verdict is then labelled cross-config). */
  allowDifferentConfig = $state(false);
  /** The comparison and distributions (null until computed). */
  view: CompareView | null = $state.raw(null);
  /** True while the stats worker computes. */
  computing = $state(false);
  /** Why the comparison could not be made. */
  error: string | null = $state(null);
  /** Interleaved run progress (null when none runs). */
  interleave: InterleaveProgress | null = $state.raw(null);
  /** Why the last interleaved run failed. */
  interleaveError: string | null = $state(null);
  /** The margin as a fraction, or null when the field is invalid. */
  readonly margin: number | null = $derived(parseMargin(this.marginPercent));
  /** The baseline result. */
  readonly baseline: ResultFile | null = $derived(this.#find(this.baselineId));
  /** The candidate result. */
  readonly candidate: ResultFile | null = $derived(this.#find(this.candidateId));
  /** Ids chosen (e.g. by a link) that the history does not have. */
  readonly missingIds: string[] = $derived(
    [this.baselineId, this.candidateId].filter(
      (id): id is string => id !== null && this.#find(id) === null,
    ),
  );
  /** The comparison's URL params: result ids and margin (empty when nothing is chosen). */
  readonly params: Record<string, string> = $derived(
    this.baselineId === null && this.candidateId === null
      ? {}
      : {
          ...(this.baselineId !== null ? { a: this.baselineId } : {}),
          ...(this.candidateId !== null ? { b: this.candidateId } : {}),
          margin: this.marginPercent.trim(),
        },
  );
  /** Fields where the two environments differ. */
  readonly envDiff: EnvDifference[] | null = $derived(
    this.baseline && this.candidate ? diffEnv(this.baseline.env, this.candidate.env) : null,
  );

  readonly #stats: StatsClient;
  readonly #history: History;
  readonly #executor: Executor;
  #cancel: (() => void) | null = null;
  #cancelled = false;
  #request = 0;

  constructor(stats: StatsClient, history: History, executor: Executor) {
    this.#stats = stats;
    this.#history = history;
    this.#executor = executor;
  }

  /** Chooses the two results and computes the comparison in the worker. */
  async select(baselineId: string | null, candidateId: string | null): Promise<void> {
    this.baselineId = baselineId;
    this.candidateId = candidateId;
    await this.refresh();
  }

  /** Swaps baseline and candidate. */
  async swap(): Promise<void> {
    await this.select(this.candidateId, this.baselineId);
  }

  /** Recomputes the comparison (e.g. after the margin changed). */
  async refresh(): Promise<void> {
    const request = ++this.#request;
    const a = this.baseline;
    const b = this.candidate;
    const margin = this.margin;
    this.view = null;
    this.error = null;
    if (!a || !b) return;
    if (margin === null) {
      this.error = 'Margin: must be a number in 0..50 (percent)';
      return;
    }
    const problem = samplesProblem(a) ?? samplesProblem(b);
    if (problem !== null) {
      this.error = problem;
      return;
    }
    this.computing = true;
    try {
      const view = await this.#stats.compareView(
        Float64Array.from(a.samples.ms),
        Float64Array.from(b.samples.ms),
        {
          margin,
          labels: { baseline: resultTitle(a), candidate: resultTitle(b) },
          baselineConfig: problemConfig(a),
          candidateConfig: problemConfig(b),
          allowDifferentConfig: this.allowDifferentConfig,
          quantumMs: { baseline: sampleQuantumMs(a), candidate: sampleQuantumMs(b) },
        },
        // One CI per result: the one it recorded, as Results shows it.
        { baseline: a.derived, candidate: b.derived },
      );
      const separate = separateRunsWarning(a, b, 'use Run A against B (interleaved) below');
      if (separate !== null) {
        const { comparison } = view;
        view.comparison = { ...comparison, warnings: [...comparison.warnings, separate] };
      }
      if (request === this.#request) this.view = view;
    } catch (err) {
      if (request === this.#request) {
        this.error = `The comparison failed: ${err instanceof Error ? err.message : String(err)}`;
      }
    } finally {
      if (request === this.#request) this.computing = false;
    }
  }

  /**
   * Runs A and B interleaved: `rounds` rounds of A then B, `perRound` samples each, combined
   * into one result per side, saved, and compared (A as baseline).
   */
  async runInterleaved(
    a: TargetRef,
    b: TargetRef,
    config: AttentionConfig,
    options: { rounds: number; perRound: number; cache: 'cold' | 'warm'; seed: number },
  ): Promise<void> {
    if (this.interleave !== null) return;
    this.interleaveError = null;
    this.#cancelled = false;
    const sides = {
      A: { target: a, rounds: [] as ResultFile[] },
      B: { target: b, rounds: [] as ResultFile[] },
    };
    const stop = { kind: 'count' as const, iterations: options.perRound };
    // Interleaving only cancels drift when both sides share one GPU: the first run's GPU (the
    // runner's pick) pins every later run of a side on that runner.
    const pin = new DevicePin();
    try {
      for (let round = 1; round <= options.rounds && !this.#isCancelled(); round++) {
        for (const side of ['A', 'B'] as const) {
          if (this.#isCancelled()) break;
          const { target } = sides[side];
          this.interleave = { round, rounds: options.rounds, side, label: targetLabel(target) };
          const handle = this.#executor.start({
            id: newRunId(`ab${side}`),
            target,
            config,
            stop,
            cache: options.cache,
            seed: options.seed + round,
            device: pin.deviceFor(target, this.#executor.devicesOf(target)),
          });
          this.#cancel = handle.cancel;
          const result = await handle.done;
          pin.saw(target, result);
          sides[side].rounds.push(result);
          if (result.status !== 'completed') {
            throw new Error(
              `${targetLabel(target)} ${result.status} in round ${round}: ${result.error?.message ?? 'no reason given'}`,
            );
          }
        }
      }
      if (this.#isCancelled()) throw new Error('cancelled by you');
      const combined = await Promise.all(
        (['A', 'B'] as const).map(async (side) => {
          const other = side === 'A' ? sides.B.target : sides.A.target;
          const merged = combineRounds(
            sides[side].rounds,
            newRunId(`ab${side}`),
            targetLabel(other),
          );
          const derived = await this.#stats.derive(
            merged.config,
            Float64Array.from(merged.samples.ms),
            options.seed,
          );
          return { ...merged, derived };
        }),
      );
      await this.#history.add(combined);
      const [ra, rb] = combined;
      if (ra && rb) await this.select(ra.id, rb.id);
    } catch (err) {
      this.interleaveError = `Interleaved run stopped: ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      this.interleave = null;
      this.#cancel = null;
    }
  }

  /** Cancels the interleaved run. */
  cancelInterleaved(): void {
    this.#cancelled = true;
    this.#cancel?.();
  }

  // Cancel arrives between awaits, which flow analysis cannot see.
  #isCancelled(): boolean {
    return this.#cancelled;
  }

  #find(id: string | null): ResultFile | null {
    return id === null ? null : (this.#history.get(id) ?? null);
  }
}

function parseMargin(text: string): number | null {
  const v = Number(text.trim());
  return text.trim() !== '' && Number.isFinite(v) && v >= 0 && v <= 50 ? v / 100 : null;
}

function samplesProblem(r: ResultFile): string | null {
  if (r.samples.ms.length === 0)
    return `${resultTitle(r)} has no samples (status ${r.status}); pick a run that completed`;
  if (r.samples.ms.some((v) => v <= 0))
    return `${resultTitle(r)} has a zero time; speedup needs positive times`;
  return null;
}
