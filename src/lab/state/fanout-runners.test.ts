/**
 * A lab sweep over two runners started here (fake GPUs, real sockets, real harness processes):
 * the lab's runner connections and executor fan points out across all four GPU lanes, each run
 * pinned to its lane's GPU, results in order; the Runners view's lane rows follow the runs live;
 * a point that fails on one GPU is reported there and not retried elsewhere.
 */
import { afterEach, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  FakeGpuBackend,
  fakeGpus,
  spanOf,
} from '../../../native-runner/src/server/testing/fake-gpus.ts';
import { SMALL_CONFIG, startTestServer } from '../../../native-runner/src/server/testing/setup.ts';
import type { TestServer } from '../../../native-runner/src/server/testing/setup.ts';
import { BrowserEngine } from '../engine/engine.svelte.ts';
import { RunnerRegistry } from '../runners/registry.svelte.ts';
import type { SocketLike } from '../runners/socket.ts';
import type { TargetRef } from '../lib/targets.ts';
import { Executor, newRunId } from './executor.ts';
import { fanOutPoints, lanesFor } from './fanout.ts';

const nodeSocket = (url: string): SocketLike => new WebSocket(url) as unknown as SocketLike;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let servers: TestServer[] = [];
let registry: RunnerRegistry | undefined;
afterEach(async () => {
  registry?.closeAll();
  registry = undefined;
  await Promise.all(servers.map((s) => s.stop()));
  servers = [];
});

async function until(what: string, ok: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

async function twoRunners(): Promise<{ urls: string[]; executor: Executor; reg: RunnerRegistry }> {
  servers = await Promise.all(
    [0, 1].map(() => startTestServer({ backends: [new FakeGpuBackend()], gpus: fakeGpus(2) })),
  );
  const urls = servers.map((s) => s.server.url);
  const reg = new RunnerRegistry(null, { socketFactory: nodeSocket });
  registry = reg;
  for (const url of urls) expect(reg.add(url, '')).toBeNull();
  await until('both runners ready', () => reg.ready.length === 2);
  // The browser engine is never started in this test: only runner targets.
  const executor = new Executor(new BrowserEngine(), reg);
  return { urls, executor, reg };
}

function sweep(executor: Executor, points: { target: TargetRef; seqLen: number }[]) {
  return fanOutPoints(
    points,
    (p) => lanesFor(p.target, executor.devicesOf(p.target)),
    (p, lane) =>
      executor.start({
        id: newRunId('sw'),
        target: p.target,
        config: { ...SMALL_CONFIG, seqLen: p.seqLen },
        stop: { kind: 'count', iterations: 15 },
        cache: 'cold',
        seed: 7,
        device: lane.device,
      }).done,
  );
}

it('fans 8 points over 2 runners × 2 GPUs at once, pinned per lane, collected in order', async () => {
  const { urls, executor, reg } = await twoRunners();
  expect(
    executor.devicesOf({ origin: urls[0] ?? '', backend: 'fakegpu', kernel: 'steady' }),
  ).toEqual([0, 1]);
  const targets = urls.map((origin) => ({ origin, backend: 'fakegpu', kernel: 'steady' }));
  const points = [64, 96, 128, 160].flatMap((seqLen) =>
    targets.map((target) => ({ target, seqLen })),
  );
  const running = sweep(executor, points);
  // While the first four run, each runner's lane rows show this lab's run on both GPUs.
  await until('own runs on every GPU lane', () =>
    urls.every((u) => {
      const rows = reg.get(u)?.laneRows ?? [];
      return rows.length === 2 && rows.every((r) => r.mine.some((m) => m.phase !== 'queued'));
    }),
  );
  expect(
    reg.get(urls[0] ?? '')?.laneRows.map((r) => [r.lane, r.device?.uuid, r.device?.name]),
  ).toEqual([
    ['gpu:0', fakeGpus(2)[0]?.uuid, 'Fake H100 80GB'],
    ['gpu:1', fakeGpus(2)[1]?.uuid, 'Fake H100 80GB'],
  ]);
  const outcomes = await running;
  const results = outcomes.map((o) => {
    if (o?.ok !== true) throw new Error(`point failed: ${JSON.stringify(o)}`);
    return { lane: o.lane, result: o.value };
  });
  // In the points' order: sizes outer, runners inner.
  expect(results.map((r) => [r.result.config.seqLen, r.lane.key.split('|')[0]])).toEqual(
    points.map((p) => [p.seqLen, p.target.origin]),
  );
  // Each ran on its lane's GPU (recorded by the runner, pinned through CUDA_VISIBLE_DEVICES).
  for (const { lane, result } of results) {
    expect(result.env.gpu?.index).toBe(lane.device);
    expect(result.env.software).toMatchObject({
      cudaVisibleDevices: fakeGpus(2)[lane.device ?? -1]?.uuid,
    });
  }
  // Four lanes at once: some instant is inside four runs' spans; never two in one lane.
  const spans = results.map((r) => ({ key: r.lane.key, span: spanOf(r.result.timing.notes) }));
  const overlapAt = (t: number) => spans.filter((s) => s.span[0] <= t && t < s.span[1]);
  expect(Math.max(...spans.map((s) => overlapAt(s.span[0]).length))).toBe(4);
  for (const s of spans) {
    expect(new Set(overlapAt(s.span[0]).map((o) => o.key)).size).toBe(overlapAt(s.span[0]).length);
  }
  // Once done, the lanes are idle again (the connection asked the runner after each run).
  await until('idle lanes', () =>
    urls.every((u) =>
      (reg.get(u)?.laneRows ?? []).every((r) => r.mine.length === 0 && r.other === null),
    ),
  );
}, 60_000);

it('reports a point that fails on one GPU there and does not retry it on another', async () => {
  const { urls, executor } = await twoRunners();
  const failing = { origin: urls[1] ?? '', backend: 'fakegpu', kernel: 'fail-on-1' };
  const points = [64, 96, 128, 160].map((seqLen) => ({ target: failing, seqLen }));
  const outcomes = await sweep(executor, points);
  const byLane = outcomes.map((o) => {
    if (o === undefined) throw new Error('a point never ran');
    const ok = o.ok && o.value.status === 'completed';
    return [o.lane?.device, ok];
  });
  // Every point ran exactly once: those on GPU 1 failed there, the rest completed on GPU 0.
  expect(byLane.length).toBe(4);
  expect(byLane.filter(([d]) => d === 1).every(([, ok]) => ok === false)).toBe(true);
  expect(byLane.filter(([d]) => d === 0).every(([, ok]) => ok === true)).toBe(true);
  expect(byLane.some(([d]) => d === 1)).toBe(true);
  const failed = outcomes.find((o) => o?.lane?.device === 1);
  const message = failed?.ok === false ? failed.error : (failed?.value.error?.message ?? '');
  expect(message).toContain('injected failure on GPU 1');
  const runs = (await servers[1]?.results()) ?? [];
  expect(runs.length).toBe(4);
}, 60_000);
