/**
 * State of the Learn view: the problem being edited, the step trace computed from it (by
 * src/reference, never here), the current step and the player. Components only read and call.
 */
import { ValidationError } from '../../model/index.ts';
import { generateSteps, type FlashStep, type StepTrace } from '../../reference/steps.ts';
import {
  problemRows,
  randomProblem,
  typedProblem,
  type StepProblem,
} from '../../reference/steps-problem.ts';
import { maxAbsDifference, naiveView, type NaiveView } from '../../reference/steps-naive.ts';
import {
  REAL_SHAPE,
  compareTraffic,
  tileRange,
  visitedKeyTiles,
  type TrafficComparison,
} from '../../reference/steps-traffic.ts';
import { MatrixParseError, formatMatrix, parseMatrix } from './parse.ts';
import {
  DEFAULT_DRAFT,
  STEP_KEY,
  draftFromParams,
  humanIssue,
  learnParams,
  type LearnDraft,
} from './draft.ts';

export type { LearnDraft, ValueSource } from './draft.ts';
export { draftFromParams, humanIssue, learnParams } from './draft.ts';
import { divergingScale, maxAbs, weightScale, type CellScale } from './scales.ts';

/** Playback speeds offered, in steps per second. */
export const SPEEDS = [0.5, 1, 2, 4, 8] as const;

/** How far the kernel has got with one (query tile, key tile) block of the S×S matrix. */
export type TilePhase = 'todo' | 'current' | 'done' | 'skipped';

/** An entry of the jump-to-tile list. */
export interface JumpTarget {
  /** Step index the entry jumps to. */
  index: number;
  /** What a person reads, e.g. `Q tile 1 × K tile 2`. */
  label: string;
}

interface Built {
  trace: StepTrace;
  naive: NaiveView;
}

function build(draft: LearnDraft): Built {
  const scaleText = draft.scale.trim();
  const scale = scaleText === '' ? undefined : Number(scaleText.replace('−', '-'));
  if (scale !== undefined && Number.isNaN(scale)) {
    throw new ValidationError('invalid learn problem', [
      `scale: must be a finite number > 0, or empty for 1/√D (got ${JSON.stringify(scaleText)})`,
    ]);
  }
  let problem: StepProblem;
  if (draft.source === 'random') {
    problem = randomProblem({
      seqLen: draft.seqLen ?? Number.NaN,
      headDim: draft.headDim ?? Number.NaN,
      seed: draft.seed ?? Number.NaN,
      causal: draft.causal,
      scale,
    });
  } else {
    const parsed = (['Q', 'K', 'V'] as const).map((name) => {
      const text = name === 'Q' ? draft.qText : name === 'K' ? draft.kText : draft.vText;
      try {
        return { rows: parseMatrix(name, text), issues: [] };
      } catch (error) {
        if (error instanceof MatrixParseError) return { rows: [], issues: error.issues };
        throw error;
      }
    });
    const issues = parsed.flatMap((p) => p.issues);
    if (issues.length > 0) throw new MatrixParseError(issues);
    const [q, k, v] = parsed.map((p) => p.rows);
    problem = typedProblem({ q: q ?? [], k: k ?? [], v: v ?? [], causal: draft.causal, scale });
  }
  const trace = generateSteps(problem, {
    queryTile: draft.queryTile ?? Number.NaN,
    keyTile: draft.keyTile ?? Number.NaN,
  });
  return { trace, naive: naiveView(problem) };
}

/** The Learn view's state (Svelte 5 runes). */
export class LearnState {
  readonly #initial = build(DEFAULT_DRAFT);
  /** The draft of the trace shown (the last one applied), for the URL. */
  #applied: LearnDraft = $state.raw({ ...DEFAULT_DRAFT });
  /** The form as edited. */
  draft: LearnDraft = $state({ ...DEFAULT_DRAFT });
  /** Why the draft cannot be used (empty when it is valid); the last good trace stays shown. */
  issues: readonly string[] = $state([]);
  /** The step trace of the last valid draft. */
  trace: StepTrace = $state.raw(this.#initial.trace);
  /** The naive method's matrices and the reference output for the same problem. */
  naive: NaiveView = $state.raw(this.#initial.naive);
  /** Index of the step shown. */
  index = $state(0);
  /** Whether the player is advancing on its own. */
  playing = $state(false);
  /** Playback speed in steps per second. */
  speed: number = $state(2);
  /** Naive panel: show the scores or the softmax weights. */
  naiveShows: 'scores' | 'weights' = $state('scores');

  /** The problem being stepped through. */
  readonly problem: StepProblem = $derived(this.trace.problem);
  /** The problem shown and the step, as URL params (a permalink of this view). */
  readonly params: Record<string, string> = $derived(learnParams(this.#applied, this.index));
  /** Number of steps. */
  readonly count: number = $derived(this.trace.steps.length);
  /** The step shown. */
  readonly step: FlashStep = $derived(this.stepAt(this.index));
  /** Colours of scores: one diverging scale over the whole S×S matrix, fixed per problem. */
  readonly scoreScale: CellScale = $derived(divergingScale('score', maxAbs(this.naive.scores)));
  /** Colours of softmax weights in [0, 1]. */
  readonly weightScale: CellScale = weightScale('weight');
  /** Colours of inputs and outputs (Q, K, V, Õ, O) over one symmetric range. */
  readonly valueScale: CellScale = $derived(
    divergingScale(
      'value',
      maxAbs([this.problem.q, this.problem.k, this.problem.v].map((a) => Array.from(a))),
    ),
  );
  /** Rows of Q, K and V as nested arrays, for the tile views. */
  readonly rows: { q: number[][]; k: number[][]; v: number[][] } = $derived({
    q: problemRows(this.problem, 'q'),
    k: problemRows(this.problem, 'k'),
    v: problemRows(this.problem, 'v'),
  });
  /** The weights tile once the sum step has made it, else the same shape empty (NaN). */
  readonly weights: number[][] | null = $derived.by(() => {
    const step = this.step;
    if (!('tile' in step)) return null;
    const made = step.kind === 'sum' || step.kind === 'output';
    return made ? step.tile.probs : step.tile.probs.map((row) => row.map(() => Number.NaN));
  });
  /** The output as far as the tiles have finished it, S × D (NaN for rows not written yet). */
  readonly tiledOutput: number[][] = $derived(
    this.rows.q.map((row, r) =>
      row.map((_, x) =>
        r < this.step.rowsDone
          ? (this.trace.output[r * this.problem.headDim + x] ?? Number.NaN)
          : Number.NaN,
      ),
    ),
  );
  /** The naive (reference) output, S × D. */
  readonly naiveOutput: number[][] = $derived(
    this.rows.q.map((row, r) =>
      row.map((_, x) => this.naive.output[r * this.problem.headDim + x] ?? Number.NaN),
    ),
  );
  /** Naive vs tiled traffic at the problem's own size and tile sizes. */
  readonly traffic: TrafficComparison = $derived(
    compareTraffic({
      seqLen: this.problem.seqLen,
      headDim: this.problem.headDim,
      causal: this.problem.causal,
      ...this.trace.tiles,
    }),
  );
  /** The same formulas at S = 4096, D = 128. */
  readonly realTraffic: TrafficComparison = $derived(
    compareTraffic({ ...REAL_SHAPE, causal: this.problem.causal }),
  );
  /** Largest |tiled − naive| over the output rows finished so far (null before the first). */
  readonly difference: number | null = $derived(
    this.step.rowsDone === 0
      ? null
      : maxAbsDifference(
          this.trace.output,
          this.naive.output,
          this.step.rowsDone * this.problem.headDim,
        ),
  );
  /** The start of every query tile and of every (query tile, key tile) pair, in step order. */
  readonly jumpTargets: JumpTarget[] = $derived(
    this.trace.steps.flatMap((s): JumpTarget[] => {
      if (s.kind === 'load-q') return [{ index: s.index, label: `Q tile ${s.queryTile}: load` }];
      if (s.kind === 'scores') {
        return [{ index: s.index, label: `Q tile ${s.queryTile} × K tile ${s.tile.keyTile}` }];
      }
      return [];
    }),
  );

  /**
   * Starts from a link's params when they name a Learn problem (its step included); a bad one
   * stays in the form with its issues shown.
   */
  constructor(params: Readonly<Record<string, string>> = {}) {
    const draft = draftFromParams(params);
    if (draft === null) return;
    this.draft = draft;
    if (this.apply()) this.jumpTo(Number(params[STEP_KEY] ?? '1') - 1 || 0);
  }

  /** Validates the draft and, if it is good, recomputes the trace and goes back to step 1. */
  apply(): boolean {
    try {
      const built = build(this.draft);
      this.trace = built.trace;
      this.naive = built.naive;
      this.#applied = { ...this.draft };
      this.issues = [];
      this.index = 0;
      this.playing = false;
      return true;
    } catch (error) {
      if (error instanceof ValidationError || error instanceof MatrixParseError) {
        this.issues = error.issues.map(humanIssue);
        return false;
      }
      throw error;
    }
  }

  /** Switches to typed-in values, starting from the values shown now. */
  typeValues(): void {
    this.draft.qText = formatMatrix(problemRows(this.problem, 'q'));
    this.draft.kText = formatMatrix(problemRows(this.problem, 'k'));
    this.draft.vText = formatMatrix(problemRows(this.problem, 'v'));
    this.draft.source = 'typed';
    this.apply();
  }

  /** The step at `index`, clamped to the trace. */
  stepAt(index: number): FlashStep {
    const steps = this.trace.steps;
    const step = steps[Math.max(0, Math.min(steps.length - 1, index))];
    // generateSteps emits at least load-q and normalise for S ≥ 1, so this cannot be empty.
    if (!step) throw new Error('Learn: the step trace is empty');
    return step;
  }

  /** Shows step `index` (clamped). */
  jumpTo(index: number): void {
    this.index = Math.max(0, Math.min(this.count - 1, Math.trunc(index)));
  }

  /** One step forward; stops the player at the end. */
  next(): void {
    if (this.index >= this.count - 1) this.playing = false;
    else this.index += 1;
  }

  /** One step back. */
  prev(): void {
    this.jumpTo(this.index - 1);
  }

  /** To the start of the next tile (or query tile). */
  nextTile(): void {
    const target = this.jumpTargets.find((t) => t.index > this.index);
    this.jumpTo(target ? target.index : this.count - 1);
  }

  /** To the start of the previous tile (or query tile). */
  prevTile(): void {
    const target = this.jumpTargets.findLast((t) => t.index < this.index);
    this.jumpTo(target ? target.index : 0);
  }

  /** Starts or stops the player; starting at the last step starts over. */
  togglePlay(): void {
    if (!this.playing && this.index >= this.count - 1) this.index = 0;
    this.playing = !this.playing;
  }

  /**
   * How far the kernel is with the block (query tile `qi`, key tile `kj`) at the current step.
   * Blocks causal masking lets it skip are `skipped` from the start, so the masked region shows.
   */
  tilePhase(qi: number, kj: number): TilePhase {
    const step = this.step;
    if (kj >= this.visitedKeyTiles(qi)) return 'skipped';
    if (qi !== step.queryTile) return qi < step.queryTile ? 'done' : 'todo';
    switch (step.kind) {
      case 'load-q':
        return 'todo';
      case 'skip':
      case 'normalise':
        return 'done';
      default:
        return kj < step.tile.keyTile ? 'done' : kj === step.tile.keyTile ? 'current' : 'todo';
    }
  }

  /** Number of key tiles query tile `qi` visits (the rest are skipped under causal masking). */
  private visitedKeyTiles(qi: number): number {
    const { seqLen, headDim, causal } = this.problem;
    const tiles = this.trace.tiles;
    return visitedKeyTiles(
      { seqLen, headDim, causal, ...tiles },
      tileRange(qi, tiles.queryTile, seqLen),
    );
  }
}
