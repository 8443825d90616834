/**
 * Fan-out of a sweep's points across lanes: every GPU of every connected runner that can run a
 * point's target, a runner backend without listed GPUs, or the browser's engine. Each lane runs
 * one point at a time and takes the first waiting point it can run, so points start in order;
 * outcomes come back in the points' order; a point that fails on a lane is reported with that
 * lane and never retried on another (a failure on one GPU is a fact about it, not noise to hide).
 */
import { BROWSER_ORIGIN, runnerHost, type TargetRef } from '../lib/targets.ts';

/** A lane a point can run on. */
export interface SweepLane {
  /** Unique key, e.g. `ws://box:9000|gpu:1` (GPU lanes are shared by a runner's GPU backends). */
  key: string;
  /** Label for progress and errors, e.g. `box:9000 GPU 1`. */
  label: string;
  /** GPU index to pin the run to (undefined: the lane is not a GPU). */
  device: number | undefined;
}

/** How a point ended, and on which lane. */
export type PointOutcome<R> =
  { ok: true; lane: SweepLane; value: R } | { ok: false; lane: SweepLane | null; error: string };

/** The lanes that can run `target`, given the GPU indices its backend lists on its runner. */
export function lanesFor(target: TargetRef, devices: readonly number[]): SweepLane[] {
  if (target.origin === BROWSER_ORIGIN) {
    return [{ key: BROWSER_ORIGIN, label: 'browser', device: undefined }];
  }
  const host = runnerHost(target.origin);
  if (devices.length === 0) {
    return [
      {
        key: `${target.origin}|${target.backend}`,
        label: `${host} ${target.backend}`,
        device: undefined,
      },
    ];
  }
  return devices.map((d) => ({
    key: `${target.origin}|gpu:${d}`,
    label: `${host} GPU ${d}`,
    device: d,
  }));
}

/** Hooks of a fan-out. */
export interface FanOutHooks<R> {
  /** Checked before a lane takes its next point; true stops handing out points. */
  cancelled?: () => boolean;
  /** A lane started a point. */
  onStart?: (index: number, lane: SweepLane) => void;
  /** A point ended (per-lane progress). */
  onSettled?: (index: number, outcome: PointOutcome<R>) => void;
}

/**
 * Runs every point on the first free lane among `lanesOf(point)` and returns the outcomes in the
 * points' order: undefined for a point never started because the fan-out was cancelled, an
 * error for a point no lane can run.
 */
export async function fanOutPoints<P, R>(
  points: readonly P[],
  lanesOf: (point: P) => readonly SweepLane[],
  run: (point: P, lane: SweepLane, index: number) => Promise<R>,
  hooks: FanOutHooks<R> = {},
): Promise<(PointOutcome<R> | undefined)[]> {
  const outcomes: (PointOutcome<R> | undefined)[] = points.map(() => undefined);
  const eligible = points.map((p) => new Set(lanesOf(p).map((l) => l.key)));
  const lanes = new Map<string, SweepLane>();
  for (const p of points) for (const l of lanesOf(p)) if (!lanes.has(l.key)) lanes.set(l.key, l);
  const taken = points.map(() => false);
  eligible.forEach((keys, i) => {
    if (keys.size > 0) return;
    taken[i] = true;
    outcomes[i] = { ok: false, lane: null, error: 'no connected lane can run this target' };
    hooks.onSettled?.(i, outcomes[i]);
  });
  const work = async (lane: SweepLane): Promise<void> => {
    for (;;) {
      if (hooks.cancelled?.() === true) return;
      const index = taken.findIndex((t, i) => !t && eligible[i]?.has(lane.key) === true);
      if (index < 0) return;
      taken[index] = true;
      hooks.onStart?.(index, lane);
      let outcome: PointOutcome<R>;
      try {
        outcome = { ok: true, lane, value: await run(points[index] as P, lane, index) };
      } catch (err) {
        outcome = { ok: false, lane, error: err instanceof Error ? err.message : String(err) };
      }
      outcomes[index] = outcome;
      hooks.onSettled?.(index, outcome);
    }
  };
  await Promise.all([...lanes.values()].map(work));
  return outcomes;
}
