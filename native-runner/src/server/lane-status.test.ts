/**
 * The runner tells every client its lanes (one per GPU) and what each runs now, in `welcome`
 * and in the answer to `listBackends`, so the lab's Runners view can show busy GPUs, including
 * runs of other clients (whose run ids stay private).
 */
import { afterEach, expect, it } from 'vitest';
import type { LaneStatus } from '../../../src/model/index.ts';
import { serverMessageSchema } from '../../../src/model/index.ts';
import { TestClient, is } from './testing/client.ts';
import { FakeGpuBackend, fakeGpus } from './testing/fake-gpus.ts';
import { SMALL_CONFIG, startTestServer } from './testing/setup.ts';
import type { TestServer } from './testing/setup.ts';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

async function lanesSeenBy(c: TestClient): Promise<LaneStatus[] | undefined> {
  const before = c.messages.filter(is.backends).length;
  c.send({ type: 'listBackends' });
  await c.waitForCount(is.backends, before + 1);
  return c.messages.filter(is.backends).at(-1)?.lanes;
}

it('lists every GPU lane in welcome and listBackends with the run it holds', async () => {
  t = await startTestServer({ backends: [new FakeGpuBackend()], gpus: fakeGpus(3) });
  const owner = await TestClient.open(t.server.url);
  owner.send({ type: 'hello' });
  const welcome = await owner.waitFor(is.welcome);
  // All GPU lanes are listed before any job made them, idle.
  expect(welcome.lanes).toEqual([
    { lane: 'gpu:0', device: 0, waiting: 0 },
    { lane: 'gpu:1', device: 1, waiting: 0 },
    { lane: 'gpu:2', device: 2, waiting: 0 },
  ]);
  const run = (id: string) => ({
    type: 'run',
    id,
    backend: 'fakegpu',
    kernel: 'steady',
    config: SMALL_CONFIG,
    stop: { kind: 'count', iterations: 40 },
    device: 1,
  });
  owner.send(run('first'));
  owner.send(run('second'));
  await owner.waitForCount(is.runStarted, 2);

  const other = await TestClient.open(t.server.url);
  other.send({ type: 'hello' });
  await other.waitFor(is.welcome);
  const busy = await lanesSeenBy(other);
  expect(busy).toEqual([
    { lane: 'gpu:0', device: 0, waiting: 0 },
    { lane: 'gpu:1', device: 1, running: { backend: 'fakegpu', kernel: 'steady' }, waiting: 1 },
    { lane: 'gpu:2', device: 2, waiting: 0 },
  ]);
  // The frame the runner sent passes the protocol schema (the field is validated, not free).
  const raw = other.messages.filter(is.backends).at(-1);
  expect(serverMessageSchema.safeParse(raw).success).toBe(true);
  expect(JSON.stringify(busy)).not.toContain('first');

  await owner.final('first', 30_000);
  await owner.final('second', 30_000);
  expect((await lanesSeenBy(other))?.every((l) => l.running === undefined && l.waiting === 0)).toBe(
    true,
  );
  owner.close();
  other.close();
}, 60_000);

it('lists the cpu lane and the shared gpu lane of a runner without GPUs, idle', async () => {
  t = await startTestServer(); // backends `fake` (gpu lane) and `cpu`, no GPUs listed
  const c = await TestClient.open(t.server.url);
  c.send({ type: 'hello' });
  expect((await c.waitFor(is.welcome)).lanes).toEqual([
    { lane: 'gpu', waiting: 0 },
    { lane: 'cpu', waiting: 0 },
  ]);
  c.close();
});

it('refuses a lane entry with a negative waiting count or a non-integer device', () => {
  const bad = (lanes: unknown) =>
    serverMessageSchema.safeParse({ type: 'backends', backends: [], lanes }).success;
  expect(bad([{ lane: 'gpu:0', device: 0, waiting: 0 }])).toBe(true);
  expect(bad([{ lane: 'gpu:0', device: 0, waiting: -1 }])).toBe(false);
  expect(bad([{ lane: 'gpu:0', device: 0.5, waiting: 0 }])).toBe(false);
  expect(bad([{ lane: 'gpu:0', running: { backend: 'cuda' }, waiting: 0 }])).toBe(false);
});
