/**
 * Lanes: one job at a time per device, the rest waiting in FIFO order. Each GPU is a lane (the
 * cuda, sdpa and dawn backends on it share it, so their timings never overlap); the CPU backend
 * has a lane of its own.
 */

/** A device lane with a bounded FIFO queue. */
export class Lane<T> {
  /** Lane id, e.g. `gpu` or `cpu`. */
  readonly id: string;
  private readonly limit: number;
  private readonly run: (item: T) => Promise<void>;
  private readonly onMoved: (item: T, position: number) => void;
  private active: T | undefined;
  private readonly waiting: T[] = [];
  /** Position each waiting item was last told, so only real moves are announced. */
  private readonly told = new Map<T, number>();
  private scheduled = false;

  /**
   * @param limit most items that may wait (the running one not counted)
   * @param run runs an item; the lane starts the next one when it settles
   * @param onMoved tells a waiting item its new position (1: next) when the queue moves
   */
  constructor(
    id: string,
    limit: number,
    run: (item: T) => Promise<void>,
    onMoved: (item: T, position: number) => void,
  ) {
    this.id = id;
    this.limit = limit;
    this.run = run;
    this.onMoved = onMoved;
  }

  /** Items waiting (not counting the running one). */
  get waitingCount(): number {
    return this.waiting.length;
  }

  /** The running item, if any. */
  get running(): T | undefined {
    return this.active;
  }

  /**
   * Queues an item. Returns its position (0: it will run now, 1: next, …), or undefined when
   * the queue is full. The item starts on a later microtask, so the caller can announce the
   * position before the item's first event.
   */
  push(item: T): number | undefined {
    // With no running item, the head of `waiting` is about to start and is not really waiting.
    const position = this.active === undefined ? this.waiting.length : this.waiting.length + 1;
    if (position > this.limit) return undefined;
    this.waiting.push(item);
    this.told.set(item, position);
    this.schedule();
    return position;
  }

  /** True while the item waits its turn (the head that is about to start does not count). */
  isWaiting(item: T): boolean {
    const index = this.waiting.indexOf(item);
    return this.active === undefined ? index > 0 : index >= 0;
  }

  /** Removes a waiting item; false when it is not waiting (running or unknown). */
  remove(item: T): boolean {
    const index = this.waiting.indexOf(item);
    if (index < 0) return false;
    this.waiting.splice(index, 1);
    this.told.delete(item);
    this.announce(index);
    return true;
  }

  /** Removes and returns every waiting item (for shutdown). */
  drain(): T[] {
    this.told.clear();
    return this.waiting.splice(0, this.waiting.length);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.active !== undefined) return;
    const next = this.waiting.shift();
    if (next === undefined) return;
    this.active = next;
    this.told.delete(next);
    this.announce(0);
    // `run` is expected never to reject; the catch keeps a bug from stalling the lane forever.
    this.run(next)
      .catch(() => undefined)
      .finally(() => {
        this.active = undefined;
        this.schedule();
      });
  }

  /** Tells items from `from` on their new positions (1: next) where these changed. */
  private announce(from: number): void {
    for (let i = from; i < this.waiting.length; i++) {
      const item = this.waiting[i];
      if (item === undefined || this.told.get(item) === i + 1) continue;
      this.told.set(item, i + 1);
      this.onMoved(item, i + 1);
    }
  }
}
