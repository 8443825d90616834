/**
 * What each lane (GPU) of a runner is doing, for the Runners view: the runner's last snapshot
 * (`lanes` in welcome/backends, which includes other clients' runs) overlaid with this lab's own
 * runs, which are followed live from runStarted, progress and runDone.
 */
import type { BackendInfo, DeviceInfo, LaneStatus } from '../../model/index.ts';

/** One of this lab's runs on a runner, as last heard. */
export interface OwnRun {
  /** Run id. */
  id: string;
  backend: string;
  kernel: string;
  /** GPU index whose lane took it (undefined: not a GPU lane). */
  device: number | undefined;
  /** `queued` until the runner reports progress or samples, then the runner's phase. */
  phase: string;
  /** Samples so far. */
  samples: number;
}

/** One lane as the view lists it. */
export interface LaneRow {
  /** Lane id, e.g. `gpu:1`. */
  lane: string;
  /** The lane's GPU, when it is a GPU lane the runner described. */
  device: DeviceInfo | null;
  /** This lab's runs in the lane (running ones first). */
  mine: OwnRun[];
  /** What the runner said the lane runs, when it is not (known to be) one of this lab's runs. */
  other: { backend: string; kernel: string } | null;
  /** Runs waiting in the lane, as the runner last said. */
  waiting: number;
}

/** The runner's GPUs, from every backend that lists them (by index, first listing wins). */
export function runnerDevices(backends: readonly BackendInfo[]): DeviceInfo[] {
  const byIndex = new Map<number, DeviceInfo>();
  for (const b of backends) {
    for (const d of b.devices ?? []) if (!byIndex.has(d.index)) byIndex.set(d.index, d);
  }
  return [...byIndex.values()].sort((a, b) => a.index - b.index);
}

/**
 * The rows: the snapshot's lanes in its order, then GPUs the snapshot lacks (an older runner
 * sends no lanes), each with this lab's runs on it.
 */
export function laneRows(
  backends: readonly BackendInfo[],
  snapshot: readonly LaneStatus[] | undefined,
  own: readonly OwnRun[],
): LaneRow[] {
  const devices = runnerDevices(backends);
  const lanes: LaneStatus[] = [...(snapshot ?? [])];
  for (const d of devices) {
    if (!lanes.some((l) => l.device === d.index)) {
      lanes.push({ lane: `gpu:${d.index}`, device: d.index, waiting: 0 });
    }
  }
  return lanes.map((l) => {
    const mine = own
      .filter((r) => r.device !== undefined && r.device === l.device)
      .sort((a, b) => Number(a.phase === 'queued') - Number(b.phase === 'queued'));
    const runningMine = mine.some((r) => r.phase !== 'queued');
    return {
      lane: l.lane,
      device: devices.find((d) => d.index === l.device) ?? null,
      mine,
      other: runningMine ? null : (l.running ?? null),
      waiting: l.waiting,
    };
  });
}
