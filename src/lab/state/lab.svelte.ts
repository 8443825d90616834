/**
 * The lab's composition root: one object holding every piece of state, created once in main.ts
 * and handed to the views. Views read it and call its methods; they compute nothing.
 */
import type { AttentionConfig, ResultFile } from '../../model/index.ts';
import { errorMessageOf } from '../../webgpu/errors.ts';
import { BrowserEngine, type EngineLoader } from '../engine/engine.svelte.ts';
import {
  RunnerRegistry,
  type KeyValueStore,
  type SavedRunner,
} from '../runners/registry.svelte.ts';
import type { ConnectionOptions } from '../runners/connection.svelte.ts';
import type { StatsClient } from '../stats/client.ts';
import type { HistoryStore } from '../store/db.ts';
import { decodePermalink } from '../lib/permalink.ts';
import { decodeKernelLink } from '../lib/kernel-link.ts';
import { preselectTargets } from '../lib/preselect.ts';
import { BROWSER_ORIGIN, parseTargetKey, targetKey, type TargetRef } from '../lib/targets.ts';
import { TargetCatalog } from './catalog.svelte.ts';
import { CompareState } from './compare.svelte.ts';
import { ResultDetail } from './detail.svelte.ts';
import { ResultsFilter } from './results-filter.svelte.ts';
import { Executor } from './executor.ts';
import { RunForm } from './form.svelte.ts';
import { History } from './history.svelte.ts';
import { KernelState } from './kernel.svelte.ts';
import { RunSession } from './run.svelte.ts';
import { SweepState } from './sweep.svelte.ts';
import { Theme } from './theme.svelte.ts';

/** The tabs, in order. */
export const TABS = [
  { id: 'run', label: 'Run' },
  { id: 'results', label: 'Results' },
  { id: 'compare', label: 'Compare' },
  { id: 'kernel', label: 'Kernel' },
  { id: 'sweep', label: 'Sweep' },
  { id: 'environment', label: 'Environment' },
  { id: 'runners', label: 'Runners' },
  { id: 'learn', label: 'Learn' },
] as const;

/** A/B rounds and samples per round when the Kernel view compares a kernel with its parent. */
export const KERNEL_AB_ROUNDS = 3;
/** Samples per side and round in that A/B run. */
export const KERNEL_AB_SAMPLES = 10;

/** A tab id. */
export type TabId = (typeof TABS)[number]['id'];

function isTab(value: string | null): value is TabId {
  return TABS.some((t) => t.id === value);
}

/** What the lab needs from its surroundings (the page, or a test). */
export interface LabDeps {
  /** Stats worker client. */
  stats: StatsClient;
  /** IndexedDB history. */
  store: HistoryStore;
  /** localStorage, or null. */
  kv: KeyValueStore | null;
  /** Engine loader (default: the engine worker client). */
  engineLoader?: EngineLoader;
  /** Runner connection options (tests). */
  connection?: ConnectionOptions;
}

/** The whole lab's state. */
export class Lab {
  /** Open tab. */
  tab: TabId = $state('run');
  /** A message shown at the top of the page (e.g. a permalink that named an unknown runner). */
  notice: string | null = $state(null);
  /** The Learn view's state as URL params, reported by the view while it is open. */
  learnParams: Record<string, string> = $state.raw({});
  /** The URL params the page opened with (views read their own state from them once). */
  linkParams: Readonly<Record<string, string>> = {};
  readonly theme: Theme;
  readonly engine: BrowserEngine;
  readonly runners: RunnerRegistry;
  readonly history: History;
  readonly form: RunForm;
  readonly catalog: TargetCatalog;
  readonly executor: Executor;
  readonly session: RunSession;
  readonly compare: CompareState;
  readonly sweep: SweepState;
  /** The Results tab's open result. */
  readonly detail: ResultDetail;
  /** The Results tab's filters. */
  readonly resultsFilter: ResultsFilter;
  /** The Kernel tab: the person's own WGSL kernel. */
  readonly kernel: KernelState;
  readonly stats: StatsClient;
  /** The form's selected targets that any engine currently offers and can run. */
  readonly selectedTargets: TargetRef[] = $derived(
    this.#selected().filter((t) => this.catalog.find(targetKey(t))?.unavailable === null),
  );

  constructor(deps: LabDeps) {
    this.stats = deps.stats;
    this.theme = new Theme(deps.kv);
    this.engine = new BrowserEngine(deps.engineLoader);
    this.runners = new RunnerRegistry(deps.kv, deps.connection);
    this.history = new History(deps.store);
    this.form = new RunForm();
    this.catalog = new TargetCatalog(this.engine, this.runners, () => this.form.config);
    this.executor = new Executor(this.engine, this.runners);
    this.session = new RunSession(this.executor, this.stats, this.history);
    this.compare = new CompareState(this.stats, this.history, this.executor);
    this.sweep = new SweepState(this.history, this.executor, this.stats);
    this.detail = new ResultDetail(this.stats);
    this.resultsFilter = new ResultsFilter(() => this.history.results);
    this.kernel = new KernelState({
      engine: this.engine,
      store: deps.store,
      kv: deps.kv,
      config: () => this.form.config,
      seed: () => this.form.seedValue,
      runs: {
        run: (target, config) => this.#runKernel(target, config),
        compare: async (parent, target, config) => {
          const seed = this.form.seedValue;
          if (seed === null) throw new Error('the Run form seed is invalid');
          this.tab = 'compare';
          await this.compare.runInterleaved(parent, target, config, {
            rounds: KERNEL_AB_ROUNDS,
            perRound: KERNEL_AB_SAMPLES,
            cache: this.form.cache,
            seed,
          });
        },
      },
    });
  }

  /**
   * Loads history and saved kernels, starts WebGPU and the runners, and applies the permalink
   * in `search` (and a kernel link in `hash`, which opens the Kernel view).
   */
  async start(options: {
    search: string;
    hash?: string;
    localRunner: SavedRunner | null;
  }): Promise<void> {
    const link = decodePermalink(options.search);
    if (isTab(link.tab)) this.tab = link.tab;
    this.linkParams = link.params;
    this.form.apply(link);
    this.runners.start(options.localRunner);
    const unknown = link.targets
      .map(parseTargetKey)
      .filter(
        (t): t is TargetRef =>
          t !== null && t.origin !== BROWSER_ORIGIN && !this.runners.get(t.origin),
      );
    if (unknown.length > 0) {
      this.notice = `This link names runner ${unknown.map((t) => t.origin).join(', ')}, which is not connected. Add it under Runners (with its token) to run those targets.`;
    }
    const history = this.history.load().then(() => this.#openLinkedComparison(link.params));
    const kernels = this.kernel.load().then(() => this.#openLinkedKernel(options.hash ?? ''));
    await Promise.all([history, kernels, this.engine.init()]);
  }

  /** Opens the kernel a `#kernel=…` link carries in the Kernel view; a damaged one says so. */
  async #openLinkedKernel(hash: string): Promise<void> {
    let linked: { name: string; source: string } | null;
    try {
      linked = await decodeKernelLink(hash);
    } catch (err) {
      this.tab = 'kernel';
      this.notice = errorMessageOf(err);
      return;
    }
    if (linked === null) return;
    this.tab = 'kernel';
    await this.kernel.openLinked(linked.name, linked.source);
  }

  /** Runs a user kernel through the Run session (so it shows there too) and returns its result. */
  async #runKernel(target: TargetRef, config: AttentionConfig): Promise<ResultFile> {
    const { stop, seedValue } = this.form;
    if (stop === null || seedValue === null) throw new Error('the Run form has invalid fields');
    if (this.session.busy) throw new Error('another run is in progress (see the Run tab)');
    await this.session.start([target], config, stop, { cache: this.form.cache, seed: seedValue });
    const run = this.session.runs[0];
    if (run?.result) return run.result;
    throw new Error(run?.error ?? 'the run ended without a result');
  }

  /** The URL query of the current state: the form, and the open view's own state. */
  permalink(): string {
    const view =
      this.tab === 'compare' ? this.compare.params : this.tab === 'learn' ? this.learnParams : {};
    return this.form.permalink(this.tab, view);
  }

  /** Opens the comparison a link names (`a`, `b`, `margin`); missing results get a notice. */
  async #openLinkedComparison(params: Readonly<Record<string, string>>): Promise<void> {
    const a = params.a ?? null;
    const b = params.b ?? null;
    if (a === null && b === null) return;
    if (params.margin !== undefined) this.compare.marginPercent = params.margin.slice(0, 12);
    await this.compare.select(a, b);
    const missing = this.compare.missingIds;
    if (missing.length > 0) {
      this.notice = `This link compares ${missing.length === 1 ? 'result' : 'results'} ${missing.join(' and ')}, which ${missing.length === 1 ? 'is' : 'are'} not in this browser's history. Import the result ${missing.length === 1 ? 'file' : 'files'} under Results (drop or pick the JSON) to see the comparison.`;
    }
  }

  /**
   * First run: selects the best available targets while the person has chosen none (called from
   * an effect, so it follows WebGPU and the runners as they become ready and the config).
   */
  preselect(): void {
    this.form.preselect(preselectTargets(this.catalog.groups));
  }

  /** Opens the Compare view on two results. */
  async openCompare(baselineId: string, candidateId: string): Promise<void> {
    this.tab = 'compare';
    await this.compare.select(baselineId, candidateId);
  }

  #selected(): TargetRef[] {
    return this.form.targets.map(parseTargetKey).filter((t): t is TargetRef => t !== null);
  }
}
