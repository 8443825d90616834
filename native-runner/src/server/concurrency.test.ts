/**
 * Twenty clients at once over real sockets: every run is queued FIFO on its device lane, one job
 * at a time per lane (the cpu lane runs beside the gpu lane), every client gets exactly its own
 * stream, and every result is saved under its own name even when the run ids collide.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ServerMessage } from '../../../src/model/index.ts';
import { TestClient } from './testing/client.ts';
import { fakeBackend } from './testing/fake-backends.ts';
import type { FakeBackend } from './testing/fake-backends.ts';
import { runMessage, startTestServer } from './testing/setup.ts';
import type { TestServer } from './testing/setup.ts';

type Of<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

/** Wraps a backend to record when its jobs start and end (to check one job per lane). */
type Span = { backend: string; seed: number; start: number; end: number };

function timed(fake: FakeBackend, spans: Span[]): FakeBackend {
  return {
    ...fake,
    start(request, hooks) {
      const handle = fake.start(request, hooks);
      const start = performance.now();
      void handle.done.then(() =>
        spans.push({ backend: fake.id, seed: request.seed, start, end: performance.now() }),
      );
      return handle;
    },
  };
}

const spans: Span[] = [];
let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({
    fakes: [
      timed(fakeBackend({ id: 'fake', kernels: { stream: 'stream' } }), spans),
      timed(fakeBackend({ id: 'sdpa', kernels: { stream: 'stream' } }), spans),
      timed(fakeBackend({ id: 'cpu', kernels: { stream: 'stream' } }), spans),
    ],
  });
});
afterAll(async () => {
  await t.stop();
});

it('serves 20 concurrent clients: FIFO per lane, one job per lane, no cross-talk', async () => {
  const clients = await Promise.all(
    Array.from({ length: 20 }, () => TestClient.open(t.server.url)),
  );
  // 14 runs share the GPU lane (fake and sdpa backends), 6 use the cpu lane. Every client uses
  // the same run id: ids are per connection.
  const backendOf = (i: number): string => (i % 10 < 3 ? 'cpu' : i % 2 === 0 ? 'fake' : 'sdpa');
  clients.forEach((c, i) => {
    c.send(
      runMessage('same-id', 'stream', {
        backend: backendOf(i),
        seed: 100 + i,
        stop: { kind: 'count', iterations: 15 },
      }),
    );
  });
  const finals = await Promise.all(clients.map((c) => c.final('same-id', 30_000)));

  const gpuPositions: number[] = [];
  const cpuPositions: number[] = [];
  const positionOfSeed = new Map<number, number>();
  finals.forEach((final, i) => {
    const c = clients[i];
    if (!c) throw new Error('client missing');
    expect(final.type).toBe('runDone');
    if (final.type !== 'runDone') return;
    const started = c.messages.find((m): m is Of<'runStarted'> => m.type === 'runStarted');
    (backendOf(i) === 'cpu' ? cpuPositions : gpuPositions).push(started?.queuePosition ?? -1);
    positionOfSeed.set(100 + i, started?.queuePosition ?? -1);
    // Each client sees only its own run, with its own seed's samples.
    expect(final.result.target.backend).toBe(backendOf(i));
    const streamed = c.messages
      .filter((m): m is Of<'samples'> => m.type === 'samples')
      .flatMap((m) => m.ms);
    expect(streamed).toEqual(final.result.samples.ms);
    expect(c.messages.every((m) => !('id' in m) || m.id === 'same-id')).toBe(true);
    expect(c.invalid).toEqual([]);
  });
  // Positions on accept: each lane's queue is 0, 1, 2, … in some arrival order.
  expect([...gpuPositions].sort((a, b) => a - b)).toEqual([...Array(14).keys()]);
  expect([...cpuPositions].sort((a, b) => a - b)).toEqual([...Array(6).keys()]);

  // One job at a time per lane: gpu-lane spans never overlap; the cpu lane ran alongside.
  const gpu = spans.filter((s) => s.backend !== 'cpu').sort((a, b) => a.start - b.start);
  const cpu = spans.filter((s) => s.backend === 'cpu').sort((a, b) => a.start - b.start);
  expect(gpu).toHaveLength(14);
  expect(cpu).toHaveLength(6);
  for (const lane of [gpu, cpu]) {
    for (let i = 1; i < lane.length; i++) {
      expect(lane[i]?.start ?? 0).toBeGreaterThanOrEqual(lane[i - 1]?.end ?? Infinity);
    }
  }
  const overlap =
    (cpu[0]?.start ?? 0) < (gpu.at(-1)?.end ?? 0) && (gpu[0]?.start ?? 0) < (cpu.at(-1)?.end ?? 0);
  expect(overlap).toBe(true);

  // FIFO: each lane started its jobs in the order of the queue positions it announced.
  expect(gpu.map((s) => positionOfSeed.get(s.seed))).toEqual([...Array(14).keys()]);
  expect(cpu.map((s) => positionOfSeed.get(s.seed))).toEqual([...Array(6).keys()]);

  // Twenty files, all distinct, despite the shared run id.
  const files = await t.results();
  expect(files).toHaveLength(20);
  expect(new Set(files.map((f) => f.name)).size).toBe(20);
  for (const c of clients) c.close();
});
