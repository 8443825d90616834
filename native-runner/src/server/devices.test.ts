/**
 * One lane per GPU: jobs on different GPUs run at once, jobs on one GPU never overlap, each
 * harness is pinned to its GPU (CUDA_VISIBLE_DEVICES), the result records the GPU, a job may
 * name its GPU, and a failure on one GPU is reported there, not retried elsewhere.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../../src/model/index.ts';
import {
  NVIDIA_SMI_QUERY,
  discoverGpus,
  parseNvidiaSmi,
  pinningEnv,
  resolveDevice,
  selectDevices,
} from '../devices.ts';
import { TestClient, is } from './testing/client.ts';
import type { FinalMessage } from './testing/client.ts';
import { FakeGpuBackend, FakeUnpinnedGpuBackend, fakeGpus, spanOf } from './testing/fake-gpus.ts';
import { SMALL_CONFIG, startTestServer } from './testing/setup.ts';
import type { TestServer } from './testing/setup.ts';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

function gpuRun(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'run',
    id,
    backend: 'fakegpu',
    kernel: 'steady',
    config: SMALL_CONFIG,
    stop: { kind: 'count', iterations: 25 },
    ...extra,
  };
}

function resultOf(m: FinalMessage) {
  if (m.type !== 'runDone')
    throw new Error(`expected runDone, got ${JSON.stringify(m).slice(0, 300)}`);
  return m.result;
}

async function serveGpus(n: number, devices?: string): Promise<TestServer> {
  return startTestServer({
    backends: [new FakeGpuBackend()],
    gpus: fakeGpus(n),
    ...(devices !== undefined ? { devices } : {}),
  });
}

describe('discovery', () => {
  it('parses nvidia-smi’s CSV: index, UUID, name, memory, PCI bus id', async () => {
    const csv = [
      '0, GPU-5d3c2a10-8f1e-4b7a-9c55-0a1b2c3d4e5f, NVIDIA H100 80GB HBM3, 81559, 00000000:19:00.0',
      '1, GPU-77aa0b21-1234-4c3d-8e9f-abcdefabcdef, NVIDIA H100 80GB HBM3, 81559, 00000000:3B:00.0',
      '',
    ].join('\n');
    const gpus = parseNvidiaSmi(csv);
    expect(gpus).toEqual([
      {
        index: 0,
        uuid: 'GPU-5d3c2a10-8f1e-4b7a-9c55-0a1b2c3d4e5f',
        name: 'NVIDIA H100 80GB HBM3',
        memoryBytes: 81559 * 1024 * 1024,
        pciBusId: '00000000:19:00.0',
      },
      {
        index: 1,
        uuid: 'GPU-77aa0b21-1234-4c3d-8e9f-abcdefabcdef',
        name: 'NVIDIA H100 80GB HBM3',
        memoryBytes: 81559 * 1024 * 1024,
        pciBusId: '00000000:3B:00.0',
      },
    ]);
    const asked: string[][] = [];
    expect(
      await discoverGpus((command, args) => {
        asked.push([command, ...args]);
        return Promise.resolve(csv);
      }),
    ).toEqual(gpus);
    expect(asked).toEqual([['nvidia-smi', ...NVIDIA_SMI_QUERY]]);
    expect(await discoverGpus(() => Promise.resolve(null))).toEqual([]);
  });

  it('narrows to --devices by index or UUID and names a GPU that is not there', () => {
    const gpus = fakeGpus(4);
    expect(selectDevices(gpus, 'all').map((d) => d.index)).toEqual([0, 1, 2, 3]);
    expect(selectDevices(gpus, '2, 0').map((d) => d.index)).toEqual([2, 0]);
    expect(selectDevices(gpus, gpus[3]?.uuid ?? '').map((d) => d.index)).toEqual([3]);
    expect(() => selectDevices(gpus, '0,7')).toThrow(
      'devices: "7" is not a GPU of this host (GPU indices here: 0, 1, 2, 3; or give UUIDs, or all)',
    );
  });

  it('resolves attnlab run --device to one GPU and pins CUDA to it by UUID', async () => {
    const gpus = fakeGpus(2);
    const one = await resolveDevice('1', gpus);
    expect(one.uuid).toBe(gpus[1]?.uuid);
    expect(await resolveDevice(gpus[0]?.uuid ?? '', gpus)).toEqual(gpus[0]);
    expect(pinningEnv(one)).toMatchObject({
      CUDA_VISIBLE_DEVICES: gpus[1]?.uuid,
      CUDA_DEVICE_ORDER: 'PCI_BUS_ID',
      ATTNLAB_GPU_INDEX: '1',
    });
    await expect(resolveDevice('2', gpus)).rejects.toThrow(
      /^--device: expected one GPU index or UUID of this host \(0 \(GPU-.*\), 1 \(GPU-.*\)\), got "2"$/,
    );
    await expect(resolveDevice('0,1', gpus)).rejects.toThrow(/expected one GPU/);
    await expect(resolveDevice('0', [])).rejects.toThrow(
      '--device: nvidia-smi lists no GPU on this host (got "0")',
    );
  });

  it('lists the served GPUs in the backend’s description', async () => {
    t = await serveGpus(4, '1,3');
    const c = await TestClient.open(t.server.url);
    c.send({ type: 'listBackends' });
    const { backends } = await c.waitFor(is.backends);
    expect(backends[0]?.devices?.map((d) => [d.index, d.uuid])).toEqual(
      fakeGpus(4)
        .filter((d) => d.index === 1 || d.index === 3)
        .map((d) => [d.index, d.uuid]),
    );
    c.close();
  });
});

describe('lanes', () => {
  it('runs jobs on different GPUs at once and never two on one GPU, each pinned to its GPU', async () => {
    t = await serveGpus(2);
    const c = await TestClient.open(t.server.url);
    const ids = ['a', 'b', 'c', 'd'];
    for (const id of ids) c.send(gpuRun(id));
    const started = (await c.waitForCount(is.runStarted, 4)) as Extract<
      ServerMessage,
      { type: 'runStarted' }
    >[];
    // Any free GPU: the first two start at once on GPUs 0 and 1, the next two wait one each.
    expect(started.map((m) => [m.id, m.device, m.queuePosition])).toEqual([
      ['a', 0, 0],
      ['b', 1, 0],
      ['c', 0, 1],
      ['d', 1, 1],
    ]);
    const results = await Promise.all(ids.map(async (id) => resultOf(await c.final(id, 30_000))));
    const gpus = fakeGpus(2);
    const spans = results.map((r) => spanOf(r.timing.notes));
    results.forEach((r, i) => {
      const gpu = gpus[i % 2];
      expect(r.env.gpu).toMatchObject({
        index: gpu?.index,
        uuid: gpu?.uuid,
        pciBusId: gpu?.pciBusId,
      });
      expect(r.env.software).toMatchObject({
        cudaVisibleDevices: gpu?.uuid,
        gpuIndex: String(gpu?.index),
      });
    });
    const [a, b, cc, d] = spans as [
      [number, number],
      [number, number],
      [number, number],
      [number, number],
    ];
    // Exclusive within a lane: c starts after a ended (GPU 0), d after b (GPU 1).
    expect(cc[0]).toBeGreaterThanOrEqual(a[1]);
    expect(d[0]).toBeGreaterThanOrEqual(b[1]);
    // Concurrent across lanes: a and b overlap in time.
    expect(Math.max(a[0], b[0])).toBeLessThan(Math.min(a[1], b[1]));
    c.close();
  }, 60_000);

  it('runs a job on the GPU it names (index or UUID) and refuses one the runner lacks', async () => {
    t = await serveGpus(3, '0,2');
    const c = await TestClient.open(t.server.url);
    const gpus = fakeGpus(3);
    c.send(gpuRun('by-index', { device: 2 }));
    c.send(gpuRun('by-uuid', { device: gpus[2]?.uuid }));
    c.send(gpuRun('not-served', { device: 1 }));
    const refused = await c.final('not-served');
    expect(refused).toMatchObject({ type: 'error', code: 'unknown-device' });
    expect(refused.type === 'error' ? refused.message : '').toMatch(
      /^device: this runner has no GPU 1; it serves 0 \(GPU-.*\), 2 \(GPU-/,
    );
    expect(resultOf(await c.final('by-index', 30_000)).env.gpu?.index).toBe(2);
    expect(resultOf(await c.final('by-uuid', 30_000)).env.gpu?.index).toBe(2);
    const started = c.messages.filter(is.runStarted).map((m) => [m.id, m.device, m.queuePosition]);
    expect(started).toEqual([
      ['by-index', 2, 0],
      ['by-uuid', 2, 1],
    ]);
    c.close();
  }, 60_000);

  it('reports a failure on one GPU with that GPU, and does not retry it on another', async () => {
    t = await serveGpus(2);
    const c = await TestClient.open(t.server.url);
    c.send(gpuRun('ok-0', { kernel: 'fail-on-1', device: 0 }));
    c.send(gpuRun('bad-1', { kernel: 'fail-on-1', device: 1 }));
    const bad = await c.final('bad-1', 30_000);
    expect(bad).toMatchObject({ type: 'error', code: 'harness-error' });
    expect(bad.type === 'error' ? bad.message : '').toMatch(/injected failure on GPU 1/);
    expect(bad.type === 'error' ? bad.result?.env.gpu?.index : undefined).toBe(1);
    expect(resultOf(await c.final('ok-0', 30_000)).status).toBe('completed');
    // One start per run: the failed one was not moved to GPU 0.
    expect(c.messages.filter(is.runStarted).map((m) => m.id)).toEqual(['ok-0', 'bad-1']);
    expect(c.about('bad-1').filter((m) => m.type === 'runStarted')).toHaveLength(1);
    c.close();
  }, 60_000);

  it('queues a backend that cannot be pinned (Dawn) on the first GPU only, and refuses another GPU', async () => {
    t = await startTestServer({
      backends: [new FakeGpuBackend(), new FakeUnpinnedGpuBackend()],
      gpus: fakeGpus(2),
    });
    const c = await TestClient.open(t.server.url);
    c.send(gpuRun('dawn-1', { backend: 'fakedawn', device: 1 }));
    const refused = await c.final('dawn-1');
    expect(refused).toMatchObject({ type: 'error', code: 'unknown-device' });
    expect(refused.type === 'error' ? refused.message : '').toMatch(
      /^device: the fakedawn backend runs only on GPU 0 of this host \(it picks its adapter itself\)/,
    );
    // A CUDA-style job on GPU 0 and two Dawn jobs: all three share GPU 0's lane, none overlap,
    // and the Dawn results claim no GPU index (the runner cannot know which GPU Dawn took).
    c.send(gpuRun('cuda-0', { device: 0 }));
    c.send(gpuRun('dawn-a', { backend: 'fakedawn' }));
    c.send(gpuRun('dawn-b', { backend: 'fakedawn', device: 0 }));
    const results = await Promise.all(
      ['cuda-0', 'dawn-a', 'dawn-b'].map(async (id) => resultOf(await c.final(id, 30_000))),
    );
    const [x, y, z] = results.map((r) => spanOf(r.timing.notes)) as [
      [number, number],
      [number, number],
      [number, number],
    ];
    expect(y[0]).toBeGreaterThanOrEqual(x[1]);
    expect(z[0]).toBeGreaterThanOrEqual(y[1]);
    expect(results[1]?.env.gpu?.index).toBeUndefined();
    expect(results[0]?.env.gpu?.index).toBe(0);
    c.close();
  }, 60_000);
});
