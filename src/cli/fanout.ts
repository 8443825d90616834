/**
 * Fans the points of a sweep out across lanes (one per GPU of every connected runner, or one
 * per local backend): each free lane takes the next point, results come back in the points'
 * order, and a point that fails on a lane is reported with that lane, never retried elsewhere
 * (a failure on one GPU is a fact about that GPU, not noise to hide).
 */

/** Something that runs one point at a time: a GPU lane of a runner, or a local backend. */
export interface FanLane<P, R> {
  /** Label for reports, e.g. `ws://gpu-host:8765 gpu 1`. */
  readonly id: string;
  /** Runs one point; rejects when the point failed. */
  run(point: P): Promise<R>;
}

/** How one point ended, and on which lane. */
export type FanOutcome<R> =
  { ok: true; lane: string; value: R } | { ok: false; lane: string; error: string };

/**
 * Runs every point on the first free lane (lanes in the given order; each lane runs one point
 * at a time) and returns the outcomes in the points' order. `onSettled` hears each point as it
 * ends (per-lane progress). Rejects only when there are points and no lanes.
 */
export async function fanOut<P, R>(
  points: readonly P[],
  lanes: readonly FanLane<P, R>[],
  onSettled?: (index: number, outcome: FanOutcome<R>) => void,
): Promise<FanOutcome<R>[]> {
  if (points.length > 0 && lanes.length === 0) {
    throw new Error('fan-out: no lane to run the points on (no runner or backend connected)');
  }
  const outcomes: (FanOutcome<R> | undefined)[] = points.map(() => undefined);
  let next = 0;
  const work = async (lane: FanLane<P, R>): Promise<void> => {
    for (;;) {
      const index = next++;
      if (index >= points.length) return;
      const point = points[index] as P;
      let outcome: FanOutcome<R>;
      try {
        outcome = { ok: true, lane: lane.id, value: await lane.run(point) };
      } catch (err) {
        outcome = {
          ok: false,
          lane: lane.id,
          error: err instanceof Error ? err.message : String(err),
        };
      }
      outcomes[index] = outcome;
      onSettled?.(index, outcome);
    }
  };
  await Promise.all(lanes.map(work));
  return outcomes.map((o, i) => o ?? { ok: false, lane: '', error: `point ${i} never ran` });
}
