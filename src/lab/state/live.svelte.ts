/**
 * A live view of one run's samples: forwards each batch to the stats worker and pulls a
 * histogram + running median/CI snapshot at most every `intervalMs`, one request in flight at a
 * time, so 10,000 samples/s never queue work on the page.
 */
import type { StatsClient } from '../stats/client.ts';
import type { LiveSnapshot } from '../../worker/view-stats.ts';

/** Histogram bins of the live chart. */
export const LIVE_BINS = 40;

/** Live statistics of one run. */
export class LiveStats {
  /** The latest snapshot (null before the first sample). */
  snapshot: LiveSnapshot | null = $state.raw(null);
  /** Samples received (counted on the page, ahead of the snapshot). */
  received = $state(0);
  /** A stats-worker failure, shown instead of the chart. */
  error: string | null = $state(null);

  readonly #stats: StatsClient;
  readonly #id: string;
  readonly #intervalMs: number;
  #inFlight = false;
  #dirty = false;
  #last = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #closed = false;

  constructor(stats: StatsClient, id: string, intervalMs = 100) {
    this.#stats = stats;
    this.#id = id;
    this.#intervalMs = intervalMs;
    void this.#stats.liveStart(id);
  }

  /** Adds a batch of samples. */
  push(ms: readonly number[]): void {
    if (this.#closed || ms.length === 0) return;
    this.received += ms.length;
    void this.#stats.livePush(this.#id, Float64Array.from(ms)).catch((err: unknown) => {
      this.#fail(err);
    });
    this.#dirty = true;
    this.#schedule();
  }

  /** Takes a last snapshot with every sample and releases the worker session. */
  async finish(): Promise<void> {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#closed = true;
    try {
      this.snapshot = await this.#stats.liveSnapshot(this.#id, LIVE_BINS);
    } catch (err) {
      this.#fail(err);
    } finally {
      void this.#stats.liveEnd(this.#id);
    }
  }

  #schedule(): void {
    if (this.#inFlight || this.#timer !== null || this.#closed) return;
    const wait = Math.max(0, this.#last + this.#intervalMs - performance.now());
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#pull();
    }, wait);
  }

  async #pull(): Promise<void> {
    if (this.#isClosed() || !this.#dirty) return;
    this.#dirty = false;
    this.#inFlight = true;
    this.#last = performance.now();
    try {
      const snap = await this.#stats.liveSnapshot(this.#id, LIVE_BINS);
      if (!this.#isClosed()) this.snapshot = snap;
    } catch (err) {
      this.#fail(err);
    } finally {
      this.#inFlight = false;
    }
    if (this.#isDirty()) this.#schedule();
  }

  #fail(err: unknown): void {
    this.error = `live statistics failed: ${err instanceof Error ? err.message : String(err)}`;
  }

  // Read through methods: these change across awaits, which flow analysis cannot see.
  #isClosed(): boolean {
    return this.#closed;
  }

  #isDirty(): boolean {
    return this.#dirty;
  }
}
