/**
 * The result detail view's state: which result is open and its figures from the stats worker
 * (descriptives, histogram, samples in run order with a rolling median).
 */
import type { ResultFile } from '../../model/index.ts';
import { sampleQuantumMs } from '../lib/problem.ts';
import type { StatsClient } from '../stats/client.ts';
import type { ResultView } from '../../worker/result-view.ts';

/** The open result and what the worker computed for it. */
export class ResultDetail {
  /** The result shown (null: none). */
  result: ResultFile | null = $state.raw(null);
  /** Its figures; null while computing or when it has no samples. */
  view: ResultView | null = $state.raw(null);
  /** A failure of the worker, shown in place of the charts. */
  error: string | null = $state(null);

  readonly #stats: StatsClient;
  #token = 0;

  constructor(stats: StatsClient) {
    this.#stats = stats;
  }

  /** Opens a result (or closes the view with null) and computes its figures in the worker. */
  async show(result: ResultFile | null): Promise<void> {
    if (result?.id === this.result?.id && (this.view !== null || this.error !== null)) return;
    const token = ++this.#token;
    this.result = result;
    this.view = null;
    this.error = null;
    if (result === null || result.samples.ms.length === 0) return;
    try {
      const view = await this.#stats.resultView(
        Float64Array.from(result.samples.ms),
        result.samples.throttled,
        sampleQuantumMs(result),
      );
      // A newer selection wins over a slower, older request.
      if (token === this.#token) this.view = view;
    } catch (err) {
      if (token === this.#token)
        this.error = `Statistics failed: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
}
