/**
 * Lane rows of the Runners view: the runner's snapshot overlaid with this lab's own runs, GPUs
 * listed even by an older runner that sends no lanes, another client's run shown as such.
 */
import { describe, expect, it } from 'vitest';
import type { BackendInfo, DeviceInfo } from '../../model/index.ts';
import { laneRows, runnerDevices, type OwnRun } from './lanes.ts';

const gpu = (index: number): DeviceInfo => ({
  index,
  uuid: `GPU-${index}aaa`,
  name: 'NVIDIA H100 80GB HBM3',
  memoryBytes: 81559 * 2 ** 20,
  pciBusId: `00000000:${19 + index}:00.0`,
});
const backend = (id: string, devices?: DeviceInfo[]): BackendInfo => ({
  id,
  available: true,
  kernels: [],
  ...(devices ? { devices } : {}),
});
const own = (id: string, device: number | undefined, phase: string): OwnRun => ({
  id,
  backend: 'cuda',
  kernel: 'flash',
  device,
  phase,
  samples: phase === 'queued' ? 0 : 42,
});

describe('laneRows', () => {
  it('collects the GPUs of every backend once, by index', () => {
    const backends = [backend('cpu'), backend('cuda', [gpu(1), gpu(0)]), backend('sdpa', [gpu(0)])];
    expect(runnerDevices(backends).map((d) => d.index)).toEqual([0, 1]);
  });

  it('lists GPUs from the backends when an older runner sends no lanes', () => {
    const rows = laneRows([backend('cuda', [gpu(0), gpu(1)])], undefined, [
      own('r1', 1, 'measure'),
    ]);
    expect(rows.map((r) => [r.lane, r.device?.index, r.mine.map((m) => m.id), r.other])).toEqual([
      ['gpu:0', 0, [], null],
      ['gpu:1', 1, ['r1'], null],
    ]);
  });

  it('shows another client’s run unless this lab’s run is the one running there', () => {
    const backends = [backend('cuda', [gpu(0), gpu(1)]), backend('cpu')];
    const snapshot = [
      { lane: 'gpu:0', device: 0, running: { backend: 'sdpa', kernel: 'math' }, waiting: 1 },
      { lane: 'gpu:1', device: 1, running: { backend: 'cuda', kernel: 'flash' }, waiting: 0 },
      { lane: 'cpu', waiting: 0 },
    ];
    const rows = laneRows(backends, snapshot, [own('q', 0, 'queued'), own('m', 1, 'measure')]);
    expect(rows.map((r) => [r.lane, r.other, r.waiting, r.mine.map((m) => m.phase)])).toEqual([
      ['gpu:0', { backend: 'sdpa', kernel: 'math' }, 1, ['queued']],
      ['gpu:1', null, 0, ['measure']],
      ['cpu', null, 0, []],
    ]);
    expect(rows[2]?.device).toBeNull();
  });
});
