/**
 * The runner keeps serving while a big run's derived figures (a 10,000-resample BCa bootstrap of
 * the median) are computed: they run in a worker thread, not on the event loop. Without that,
 * a 30,000-sample run froze every client for seconds (100,000 samples: ~18 s).
 */
import { afterEach, expect, it } from 'vitest';
import { deriveFigures } from '../../../src/model/index.ts';
import { createRng } from '../../../src/stats/index.ts';
import { deriveFiguresOffThread } from '../derive-offthread.ts';
import { TestClient, is } from './testing/client.ts';
import { fakeBackend } from './testing/fake-backends.ts';
import { SMALL_CONFIG, runMessage, startTestServer } from './testing/setup.ts';
import type { TestServer } from './testing/setup.ts';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

it('gives the same figures in the worker as inline (same seed, same numbers)', async () => {
  const rng = createRng(18);
  const ms = Array.from({ length: 800 }, () => 1 + rng.next() * 0.2);
  const inline = deriveFigures(SMALL_CONFIG, ms, { seed: 5 });
  const worker = await deriveFiguresOffThread(SMALL_CONFIG, ms, 5, 0);
  expect(worker).toEqual(inline);
  expect(worker?.ci[0]).toBeLessThan(worker?.medianMs ?? 0);
}, 60_000);

it('answers other clients within a second while a 30,000-sample run is finished', async () => {
  const fake = fakeBackend({ id: 'fake', kernels: { bulk: 'bulk' } });
  t = await startTestServer({ fakes: [fake] });
  const big = await TestClient.open(t.server.url);
  const pinger = await TestClient.open(t.server.url);
  big.send(runMessage('big', 'bulk', { stop: { kind: 'count', iterations: 30_000 } }));
  const final = big.final('big', 120_000);
  const state = { ended: false };
  void final.finally(() => (state.ended = true));
  // Server and client share this process's event loop: a blocked loop shows as a long gap
  // between two answered pings (the round trip alone would miss a block between pings).
  const gaps: number[] = [];
  let last = performance.now();
  for (let i = 1; !state.ended; i++) {
    pinger.send({ type: 'listBackends' });
    await pinger.waitForCount(is.backends, i, 60_000);
    const now = performance.now();
    gaps.push(now - last);
    last = now;
    await new Promise((r) => setTimeout(r, 20));
  }
  const done = await final;
  expect(done.type).toBe('runDone');
  if (done.type !== 'runDone') return;
  expect(done.result.samples.ms).toHaveLength(30_000);
  expect(done.result.derived?.ci[1]).toBeGreaterThan(done.result.derived?.medianMs ?? 0);
  // The bootstrap of 30,000 samples takes seconds of CPU: many pings are answered meanwhile.
  expect(gaps.length).toBeGreaterThan(10);
  expect(Math.max(...gaps)).toBeLessThan(1000);
  big.close();
  pinger.close();
}, 120_000);
