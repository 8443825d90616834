/**
 * How jobs end over a real socket: cancel, a killed harness process, a hung harness past the
 * job timeout, a backend that ignores cancel, backends that throw or break their contract, and a
 * client that vanishes mid-run. Every early end keeps its partial samples, marks them, writes the
 * result file, and leaves the server serving.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../../src/model/index.ts';
import { TestClient } from './testing/client.ts';
import type { FinalMessage } from './testing/client.ts';
import { runMessage, startTestServer } from './testing/setup.ts';
import type { TestServer } from './testing/setup.ts';

type Of<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

let t: TestServer;
let client: TestClient;

beforeAll(async () => {
  t = await startTestServer({ jobTimeoutMs: 600, cancelGraceMs: 300 });
  client = await TestClient.open(t.server.url);
});

afterAll(async () => {
  client.close();
  await t.stop();
  expect(client.invalid).toEqual([]);
});

function errorOf(m: FinalMessage): Of<'error'> {
  if (m.type !== 'error')
    throw new Error(`expected an error, got ${JSON.stringify(m).slice(0, 300)}`);
  return m;
}

function streamed(c: TestClient, id: string): number[] {
  return c
    .about(id)
    .filter((m): m is Of<'samples'> => m.type === 'samples')
    .flatMap((m) => m.ms);
}

async function savedResult(id: string) {
  const found = await t.resultsOf(id);
  expect(found).toHaveLength(1);
  return found[0];
}

/** Checks the server still runs a job to completion after whatever happened before. */
async function stillServing(id: string): Promise<void> {
  client.send(runMessage(id, 'stream', { stop: { kind: 'count', iterations: 10 } }));
  const done = await client.final(id);
  expect(done.type).toBe('runDone');
}

describe('cancel', () => {
  it('ends a running job with error cancelled and its partial samples, kept and marked', async () => {
    client.send(
      runMessage('to-cancel', 'stream', { stop: { kind: 'count', iterations: 100_000 } }),
    );
    await client.waitForCount((m) => m.type === 'samples' && m.id === 'to-cancel', 2);
    client.send({ type: 'cancel', id: 'to-cancel' });
    const err = errorOf(await client.final('to-cancel'));
    expect(err.code).toBe('cancelled');
    expect(err.message).toBe('cancelled by the client');
    const result = err.result;
    expect(result?.status).toBe('cancelled');
    expect(result?.samples.partial).toBe(true);
    expect(result?.error).toEqual({ code: 'cancelled', message: 'cancelled by the client' });
    // Every streamed sample is in the partial result (the backend may have had a few more).
    const ms = result?.samples.ms ?? [];
    expect(ms.length).toBeGreaterThanOrEqual(2);
    expect(ms.slice(0, streamed(client, 'to-cancel').length)).toEqual(
      streamed(client, 'to-cancel'),
    );
    expect(ms.length).toBeLessThan(100_000);
    expect(await savedResult('to-cancel')).toEqual(result);
    expect(t.fakes.get('fake')?.cancelled).toContain('to-cancel');
  });

  it('takes a queued job out of the queue without starting it', async () => {
    client.send(runMessage('blocker', 'stream', { stop: { kind: 'count', iterations: 100_000 } }));
    client.send(runMessage('queued', 'stream'));
    const started = await client.waitFor(
      (m): m is Of<'runStarted'> => m.type === 'runStarted' && m.id === 'queued',
    );
    expect(started.queuePosition).toBe(1);
    client.send({ type: 'cancel', id: 'queued' });
    const err = errorOf(await client.final('queued'));
    expect(err.code).toBe('cancelled');
    expect(err.result?.samples).toEqual({ ms: [], partial: true });
    expect(t.fakes.get('fake')?.started.map((r) => r.id)).not.toContain('queued');
    client.send({ type: 'cancel', id: 'blocker' });
    expect(errorOf(await client.final('blocker')).code).toBe('cancelled');
  });
});

describe('a harness that dies or hangs', () => {
  it('reports a killed harness process as harness-crash with the samples it streamed', async () => {
    client.send(runMessage('killed', 'child', { stop: { kind: 'count', iterations: 100_000 } }));
    await client.waitForCount((m) => m.type === 'samples' && m.id === 'killed', 2);
    const pid = t.fakes.get('fake')?.children.get('killed');
    expect(pid).toBeTypeOf('number');
    process.kill(pid ?? -1, 'SIGKILL');
    const err = errorOf(await client.final('killed'));
    expect(err.code).toBe('harness-crash');
    expect(err.message).toMatch(/signal SIGKILL/);
    expect(err.result?.status).toBe('failed');
    expect(err.result?.samples.partial).toBe(true);
    const ms = err.result?.samples.ms ?? [];
    expect(ms.length).toBeGreaterThanOrEqual(4);
    expect(ms.slice(0, streamed(client, 'killed').length)).toEqual(streamed(client, 'killed'));
    expect((await savedResult('killed'))?.status).toBe('failed');
    await stillServing('after-kill');
  });

  it('stops a harness that hangs past the job timeout: error timeout, partial samples, process gone', async () => {
    const t0 = performance.now();
    client.send(runMessage('hung', 'child-hang', { stop: { kind: 'count', iterations: 100_000 } }));
    await client.waitForCount((m) => m.type === 'samples' && m.id === 'hung', 1);
    const pid = t.fakes.get('fake')?.children.get('hung') ?? -1;
    const err = errorOf(await client.final('hung'));
    const took = performance.now() - t0;
    expect(err.code).toBe('timeout');
    expect(err.message).toMatch(/past the runner's 600 ms job timeout/);
    expect(err.result?.status).toBe('failed');
    expect(err.result?.error?.code).toBe('timeout');
    expect(err.result?.samples.partial).toBe(true);
    expect(err.result?.samples.ms).toEqual(streamed(client, 'hung'));
    expect(err.result?.samples.ms.length).toBe(6); // the hanging harness printed 3 lines of 2
    expect(took).toBeGreaterThanOrEqual(600);
    expect(took).toBeLessThan(5000);
    expect(() => process.kill(pid, 0)).toThrow(); // the harness process was killed
    await stillServing('after-hang');
  });

  it('ends a job itself when the backend ignores cancel, after the grace period', async () => {
    client.send(runMessage('deaf', 'deaf', { stop: { kind: 'count', iterations: 100_000 } }));
    await client.waitForCount((m) => m.type === 'samples' && m.id === 'deaf', 1);
    client.send({ type: 'cancel', id: 'deaf' });
    const err = errorOf(await client.final('deaf'));
    expect(err.code).toBe('cancelled');
    expect(err.result?.samples.partial).toBe(true);
    expect(err.result?.samples.ms).toEqual(streamed(client, 'deaf'));
    expect(err.result?.timing.notes.join(' ')).toMatch(/written by the runner/);
    expect(t.logs.some((l) => /did not end the job within 300 ms of the cancel/.test(l))).toBe(
      true,
    );
    await stillServing('after-deaf');
  });
});

describe('backends that refuse or misbehave', () => {
  it('passes on the code of an error thrown by start (too-large-for-device)', async () => {
    client.send(runMessage('huge', 'throw'));
    const err = errorOf(await client.final('huge'));
    expect(err.code).toBe('too-large-for-device');
    expect(err.message).toBe('needs 99 GiB; the device has 80 GiB');
    expect(err.result?.status).toBe('failed');
    expect(err.result?.samples.ms).toEqual([]);
  });

  it('turns a rejected done into a failed result with code internal', async () => {
    client.send(runMessage('rejects', 'reject'));
    const err = errorOf(await client.final('rejects'));
    expect(err.code).toBe('internal');
    expect(err.message).toBe('the fake backend failed: backend bug');
  });

  it('refuses to pass on an invalid result file from a backend', async () => {
    client.send(runMessage('broken', 'invalid'));
    const err = errorOf(await client.final('broken'));
    expect(err.code).toBe('internal');
    expect(err.message).toMatch(/returned an invalid result file: schema: /);
    expect((await savedResult('broken'))?.status).toBe('failed');
    await stillServing('after-broken');
  });
});

describe('a client that vanishes mid-run', () => {
  it('cancels its jobs (running and queued) with client-gone and keeps serving others', async () => {
    const leaver = await TestClient.open(t.server.url);
    leaver.send(
      runMessage('gone-running', 'stream', { stop: { kind: 'count', iterations: 100_000 } }),
    );
    leaver.send(runMessage('gone-queued', 'stream'));
    await leaver.waitForCount((m) => m.type === 'samples' && m.id === 'gone-running', 2);
    const seen = streamed(leaver, 'gone-running');
    leaver.terminate();
    await leaver.closed;
    // Its results are written once the jobs end; the lane is free again.
    await stillServing('after-gone');
    const running = await savedResult('gone-running');
    expect(running?.status).toBe('cancelled');
    expect(running?.error?.code).toBe('client-gone');
    expect(running?.samples.partial).toBe(true);
    expect(running?.samples.ms.slice(0, seen.length)).toEqual(seen);
    const queued = await savedResult('gone-queued');
    expect(queued?.error?.code).toBe('client-gone');
    expect(queued?.samples.ms).toEqual([]);
    expect(t.fakes.get('fake')?.started.map((r) => r.id)).not.toContain('gone-queued');
    expect(leaver.invalid).toEqual([]);
  });
});
