/**
 * The lab's sweep fan-out: each lane runs one point at a time, points run only on lanes that
 * can run their target, outcomes come back in the points' order whatever order they end in, a
 * failure is reported with its lane and never retried, and cancel stops handing out points.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../stats/index.ts';
import { fanOutPoints, lanesFor, type SweepLane } from './fanout.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const RUNNER_A = 'ws://gpu-a:9000';
const RUNNER_B = 'ws://gpu-b:9000';

describe('lanesFor', () => {
  it('gives one lane per GPU, shared by a runner’s GPU backends, else one per backend', () => {
    const cuda = lanesFor({ origin: RUNNER_A, backend: 'cuda', kernel: 'flash' }, [0, 2]);
    const sdpa = lanesFor({ origin: RUNNER_A, backend: 'sdpa', kernel: 'math' }, [0, 2]);
    expect(cuda).toEqual([
      { key: 'ws://gpu-a:9000|gpu:0', label: 'gpu-a:9000 GPU 0', device: 0 },
      { key: 'ws://gpu-a:9000|gpu:2', label: 'gpu-a:9000 GPU 2', device: 2 },
    ]);
    expect(sdpa.map((l) => l.key)).toEqual(cuda.map((l) => l.key));
    expect(lanesFor({ origin: RUNNER_A, backend: 'cpu', kernel: 'naive' }, [])).toEqual([
      { key: 'ws://gpu-a:9000|cpu', label: 'gpu-a:9000 cpu', device: undefined },
    ]);
    expect(lanesFor({ origin: 'browser', backend: 'webgpu', kernel: 'f' }, [])).toEqual([
      { key: 'browser', label: 'browser', device: undefined },
    ]);
  });
});

describe('fanOutPoints', () => {
  it('runs across lanes at once, one point per lane at a time, and keeps the order', async () => {
    const rng = createRng(1818);
    const lanes = lanesFor({ origin: RUNNER_A, backend: 'cuda', kernel: 'k' }, [0, 1, 2]);
    const active = new Map<string, number>();
    let overlapWithinLane = false;
    let concurrent = 0;
    let maxConcurrent = 0;
    const points = Array.from({ length: 10 }, (_, i) => i + 1);
    const ended: number[] = [];
    const outcomes = await fanOutPoints(
      points,
      () => lanes,
      async (p, lane) => {
        const n = (active.get(lane.key) ?? 0) + 1;
        active.set(lane.key, n);
        if (n > 1) overlapWithinLane = true;
        maxConcurrent = Math.max(maxConcurrent, ++concurrent);
        await sleep(3 + rng.nextInt(25));
        concurrent -= 1;
        active.set(lane.key, n - 1);
        ended.push(p);
        return p * 7;
      },
    );
    expect(overlapWithinLane).toBe(false);
    expect(maxConcurrent).toBe(3);
    // Ended out of order (random durations), collected in order.
    expect(ended).not.toEqual(points);
    expect(outcomes.map((o) => (o?.ok === true ? o.value : null))).toEqual(
      points.map((p) => p * 7),
    );
  });

  it('reports a failure with its lane and never retries the point on another lane', async () => {
    const lanes = lanesFor({ origin: RUNNER_A, backend: 'cuda', kernel: 'k' }, [0, 1]);
    const tries = new Map<number, string[]>();
    const outcomes = await fanOutPoints(
      [10, 20, 30, 40],
      () => lanes,
      async (p, lane) => {
        tries.set(p, [...(tries.get(p) ?? []), lane.label]);
        await sleep(p === 20 ? 5 : 15);
        if (lane.device === 1 && p === 20) throw new Error('injected failure on GPU 1');
        return p;
      },
    );
    expect(outcomes[1]).toEqual({
      ok: false,
      lane: lanes[1],
      error: 'injected failure on GPU 1',
    });
    expect(tries.get(20)).toEqual(['gpu-a:9000 GPU 1']);
    expect([...tries.values()].every((t) => t.length === 1)).toBe(true);
    expect(outcomes.map((o) => (o?.ok === true ? o.value : null))).toEqual([10, null, 30, 40]);
  });

  it('runs each point only on its target’s lanes and reports a point no lane can run', async () => {
    const a = lanesFor({ origin: RUNNER_A, backend: 'cuda', kernel: 'k' }, [0]);
    const b = lanesFor({ origin: RUNNER_B, backend: 'cuda', kernel: 'k' }, [0, 1]);
    const points = [
      { target: 'a', n: 1 },
      { target: 'b', n: 2 },
      { target: 'none', n: 3 },
      { target: 'b', n: 4 },
      { target: 'a', n: 5 },
    ];
    const ranOn: [number, string][] = [];
    const outcomes = await fanOutPoints(
      points,
      (p): SweepLane[] => (p.target === 'a' ? a : p.target === 'b' ? b : []),
      async (p, lane) => {
        ranOn.push([p.n, lane.key]);
        await sleep(10);
        return p.n;
      },
    );
    expect(ranOn.filter(([n]) => n === 1 || n === 5).map(([, k]) => k)).toEqual([
      'ws://gpu-a:9000|gpu:0',
      'ws://gpu-a:9000|gpu:0',
    ]);
    expect(ranOn.filter(([n]) => n === 2 || n === 4).every(([, k]) => k.startsWith(RUNNER_B))).toBe(
      true,
    );
    expect(outcomes[2]).toEqual({
      ok: false,
      lane: null,
      error: 'no connected lane can run this target',
    });
    expect(outcomes.map((o) => o?.ok === true && o.value)).toEqual([1, 2, false, 4, 5]);
  });

  it('stops handing out points once cancelled; the points not started stay undefined', async () => {
    const lanes = lanesFor({ origin: RUNNER_A, backend: 'cuda', kernel: 'k' }, [0, 1]);
    let cancelled = false;
    const started: number[] = [];
    const outcomes = await fanOutPoints(
      [1, 2, 3, 4, 5, 6],
      () => lanes,
      async (p) => {
        started.push(p);
        await sleep(10);
        if (p === 1) cancelled = true;
        return p;
      },
      { cancelled: () => cancelled },
    );
    expect(started).toEqual([1, 2]);
    expect(outcomes.map((o) => o?.ok)).toEqual([
      true,
      true,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});
