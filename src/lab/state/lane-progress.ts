/** Per-lane progress of a fanned-out sweep: what each lane runs now and how many points it ran. */
import type { SweepLane } from './fanout.ts';

/** One lane's progress. */
export interface LaneProgress {
  /** Lane key. */
  key: string;
  /** Lane label, e.g. `box:9000 GPU 1`. */
  label: string;
  /** The point running there now (null: idle). */
  running: string | null;
  /** Points that ended there. */
  done: number;
  /** Of those, points that did not complete. */
  failed: number;
}

/** Keeps the rows and hands a fresh array to `publish` on every change (for `$state.raw`). */
export class LaneTracker {
  readonly #rows = new Map<string, LaneProgress>();
  readonly #publish: (rows: LaneProgress[]) => void;

  constructor(publish: (rows: LaneProgress[]) => void) {
    this.#publish = publish;
  }

  /** Lanes seen so far. */
  get count(): number {
    return this.#rows.size;
  }

  /** A lane started a point. */
  start(lane: SweepLane, label: string): void {
    const row = this.#rows.get(lane.key) ?? {
      key: lane.key,
      label: lane.label,
      running: null,
      done: 0,
      failed: 0,
    };
    this.#rows.set(lane.key, { ...row, running: label });
    this.#emit();
  }

  /** A lane's point ended. */
  end(lane: SweepLane, completed: boolean): void {
    const row = this.#rows.get(lane.key);
    if (!row) return;
    this.#rows.set(lane.key, {
      ...row,
      running: null,
      done: row.done + 1,
      failed: row.failed + (completed ? 0 : 1),
    });
    this.#emit();
  }

  /** What runs now, for the one-line progress: `a; b` or the single label. */
  runningLabel(): string {
    return [...this.#rows.values()]
      .flatMap((r) => (r.running === null ? [] : [r.running]))
      .join('; ');
  }

  #emit(): void {
    this.#publish([...this.#rows.values()]);
  }
}
