/**
 * The Results table's filters: backend, kernel and config (exact match, empty = any), and
 * whether cancelled runs with no samples are shown (hidden by default: they carry nothing).
 */
import { configLabel, type ResultFile } from '../../model/index.ts';

/** True for a cancelled run that ended before its first sample. */
export function isEmptyCancelled(r: ResultFile): boolean {
  return r.status === 'cancelled' && r.samples.ms.length === 0;
}

/** Filters over a list of results. */
export class ResultsFilter {
  /** Backend id, or '' for any. */
  backend = $state('');
  /** Kernel id, or '' for any. */
  kernel = $state('');
  /** Config label (e.g. `B=1 H=1 S=64 D=32 f32`), or '' for any. */
  config = $state('');
  /** Show cancelled runs that have no samples. */
  showEmptyCancelled = $state(false);

  readonly #results: () => readonly ResultFile[];

  constructor(results: () => readonly ResultFile[]) {
    this.#results = results;
  }

  /** The distinct values each filter can take, sorted. */
  readonly options: Record<'backend' | 'kernel' | 'config', string[]> = $derived(this.#options());

  /** Results that pass every filter, in the history's order. */
  readonly visible: ResultFile[] = $derived(this.#visible());

  /** Empty cancelled runs the toggle hides now. */
  readonly hiddenEmpty: number = $derived(this.#hiddenEmpty());

  #options(): Record<'backend' | 'kernel' | 'config', string[]> {
    const all = this.#results();
    const distinct = (f: (r: ResultFile) => string): string[] =>
      all
        .map(f)
        .filter((v, i, list) => list.indexOf(v) === i)
        .sort((a, b) => a.localeCompare(b));
    return {
      backend: distinct((r) => r.target.backend),
      kernel: distinct((r) => r.target.kernel),
      config: distinct((r) => configLabel(r.config)),
    };
  }

  #visible(): ResultFile[] {
    return this.#results().filter(
      (r) =>
        (this.backend === '' || r.target.backend === this.backend) &&
        (this.kernel === '' || r.target.kernel === this.kernel) &&
        (this.config === '' || configLabel(r.config) === this.config) &&
        (this.showEmptyCancelled || !isEmptyCancelled(r)),
    );
  }

  #hiddenEmpty(): number {
    return this.showEmptyCancelled ? 0 : this.#results().filter(isEmptyCancelled).length;
  }

  /** Clears every filter. */
  reset(): void {
    this.backend = '';
    this.kernel = '';
    this.config = '';
  }
}
