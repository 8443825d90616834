/**
 * The protocol flow over a real socket: hello → welcome with the environment fingerprint,
 * listBackends, a streamed run ending in runDone with the saved result, and every refusal.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../../src/model/index.ts';
import type { ServerMessage } from '../../../src/model/index.ts';
import { median } from '../../../src/stats/index.ts';
import { resultFileName } from './results.ts';
import { TestClient, is } from './testing/client.ts';
import { fakeBackend } from './testing/fake-backends.ts';
import { SMALL_CONFIG, runMessage, startTestServer } from './testing/setup.ts';
import type { TestServer } from './testing/setup.ts';

let t: TestServer;
let client: TestClient;

beforeAll(async () => {
  t = await startTestServer({
    fakes: [
      fakeBackend({
        id: 'fake',
        env: { gpu: { name: 'Fake GPU 80GB' }, software: { lib: '2.1' } },
      }),
      fakeBackend({ id: 'cpu', kernels: { stream: 'stream' } }),
      fakeBackend({ id: 'sdpa', unavailableReason: 'python3 with torch and CUDA not found' }),
    ],
  });
  client = await TestClient.open(t.server.url);
});

afterAll(async () => {
  client.close();
  await t.stop();
  expect(client.invalid).toEqual([]);
});

type Of<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

describe('hello and listBackends', () => {
  it('answers hello with welcome: runner identity, protocol, environment and backends', async () => {
    client.send({ type: 'hello', client: 'vitest' });
    const welcome = await client.waitFor(is.welcome);
    const pkg = JSON.parse(
      readFileSync(join(import.meta.dirname, '../../../package.json'), 'utf8'),
    ) as {
      version: string;
    };
    const commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      encoding: 'utf8',
    }).trim();
    expect(welcome.runnerId).toBe(t.server.runnerId);
    expect(welcome.version).toBe(pkg.version);
    expect(welcome.protocol).toBe(PROTOCOL_VERSION);
    expect(welcome.env.host?.hostname).toBe(hostname());
    expect(welcome.env.host?.node).toBe(process.version);
    expect(welcome.env.host?.os).toMatch(/\S+ \S+/);
    expect(welcome.env.runner).toEqual({ id: t.server.runnerId, version: pkg.version, commit });
    // Backend fingerprints are merged in: the GPU from the backend that has one, software by id.
    expect(welcome.env.gpu?.name).toBe('Fake GPU 80GB');
    expect(welcome.env.software?.['fake.lib']).toBe('2.1');
    expect(welcome.backends.map((b) => b.id)).toEqual(['fake', 'cpu', 'sdpa']);
    const sdpa = welcome.backends.find((b) => b.id === 'sdpa');
    expect(sdpa?.available).toBe(false);
    expect(sdpa?.reason).toBe('python3 with torch and CUDA not found');
  });

  it('answers listBackends with every backend and its kernels', async () => {
    client.send({ type: 'listBackends' });
    const { backends } = await client.waitFor(is.backends);
    expect(backends.find((b) => b.id === 'cpu')?.kernels.map((k) => k.id)).toEqual(['stream']);
    expect(backends.find((b) => b.id === 'fake')?.kernels.length).toBe(8);
  });
});

describe('a streamed run', () => {
  it('sends runStarted, check, memory, progress, batched samples and runDone with the saved result', async () => {
    client.send(runMessage('stream-1', 'stream', { stop: { kind: 'count', iterations: 120 } }));
    const done = await client.final('stream-1');
    if (done.type !== 'runDone') throw new Error(`expected runDone, got ${JSON.stringify(done)}`);
    const about = client.about('stream-1');
    expect(about[0]).toEqual({ type: 'runStarted', id: 'stream-1', queuePosition: 0 });
    expect(about.at(-1)).toBe(done);
    const types = new Set(about.map((m) => m.type));
    for (const type of ['progress', 'check', 'memory', 'clock', 'samples'])
      expect(types).toContain(type);

    const batches = about.filter((m): m is Of<'samples'> => m.type === 'samples');
    expect(batches.map((b) => b.seq)).toEqual(batches.map((_, i) => i));
    // Batched: fewer messages than samples.
    const streamed = batches.flatMap((b) => b.ms);
    expect(batches.length).toBeLessThan(streamed.length);
    const { result } = done;
    expect(result.status).toBe('completed');
    expect(result.samples.partial).toBe(false);
    expect(result.samples.ms.length).toBeGreaterThanOrEqual(120);
    expect(streamed).toEqual(result.samples.ms);
    expect(batches.flatMap((b) => b.throttled ?? [])).toEqual(result.samples.throttled);
    expect(result.derived?.medianMs).toBeCloseTo(median(result.samples.ms), 12);
    expect(result.config).toEqual(SMALL_CONFIG);
    expect(result.target).toMatchObject({ backend: 'fake', kernel: 'stream' });

    // The result keeps the backend's own id; the file is named after the client's run id.
    expect(result.id).not.toBe('stream-1');
    const files = await t.results();
    const saved = files.find((f) => f.result.id === result.id);
    expect(saved?.name).toBe(resultFileName(result, 'stream-1'));
    expect(saved?.name).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z-fake-stream-stream-1\.json$/,
    );
    expect(saved?.result).toEqual(result);
    // runDone says where: the client need not guess the file name.
    expect(done.saved).toEqual({ ok: true, path: join(t.server.resultsDir, saved?.name ?? '?') });
  });

  it('flushes samples in batches while the run goes on, at most ~100 ms apart', async () => {
    client.send(
      runMessage('steady', 'stream', { stop: { kind: 'time', budgetMs: 800 }, seed: 11 }),
    );
    await client.final('steady');
    const idx = client.messages
      .map((m, i) => (m.type === 'samples' && m.id === 'steady' ? i : -1))
      .filter((i) => i >= 0);
    expect(idx.length).toBeGreaterThanOrEqual(5);
    const times = idx.map((i) => client.arrivals[i] ?? 0);
    const gaps = times.slice(1).map((x, i) => x - (times[i] ?? 0));
    // 50 ms flush interval; the slack absorbs a busy 2-core test machine.
    expect(Math.max(...gaps)).toBeLessThan(400);
    expect(median(gaps)).toBeLessThan(100);
  });
});

describe('refusals, before anything is launched', () => {
  const refusals: [string, Record<string, unknown>, string, RegExp][] = [
    [
      'unknown backend',
      { backend: 'tpu' },
      'unknown-backend',
      /backend: unknown backend "tpu" \(this runner has fake, cpu, sdpa\)/,
    ],
    [
      'unknown kernel',
      { kernel: 'flash-v9' },
      'unknown-kernel',
      /kernel: backend fake has no kernel "flash-v9"/,
    ],
    [
      'unavailable backend',
      { backend: 'sdpa' },
      'unsupported',
      /sdpa is not available on this runner: python3 with torch and CUDA not found/,
    ],
    [
      'unsupported dtype',
      { config: { ...SMALL_CONFIG, dtype: 'bf16' } },
      'unsupported',
      /config\.dtype: fake\/stream supports f32, f16 \(got bf16\)/,
    ],
    [
      'unsupported head dim',
      { config: { ...SMALL_CONFIG, headDim: 96 } },
      'unsupported',
      /config\.headDim: fake\/stream supports 32, 64, 128 \(got 96\)/,
    ],
    [
      'grouped-query heads on a kernel without K/V-shape support',
      { config: { ...SMALL_CONFIG, kvHeads: 1 } },
      'unsupported',
      /config\.kvHeads: fake\/stream does not support grouped-query heads \(kvHeads 1 ≠ heads 2\) yet/,
    ],
    [
      'config out of bounds',
      { config: { ...SMALL_CONFIG, seqLen: 0 } },
      'bad-config',
      /config\.seqLen: must be an integer in 1\.\.65536 \(got 0\)/,
    ],
    [
      'bad stop rule',
      { stop: { kind: 'count', iterations: 0 } },
      'invalid-message',
      /stop\.iterations: must be in 1\.\.100000/,
    ],
  ];
  for (const [what, patch, code, text] of refusals) {
    it(`refuses ${what} with ${code}`, async () => {
      const id = `refuse-${code}-${what.replace(/\W/g, '')}`;
      const before = [...t.fakes.values()].reduce((n, f) => n + f.started.length, 0);
      client.send({ ...runMessage(id), ...patch });
      const err = await client.waitFor((m): m is Of<'error'> => m.type === 'error' && m.id === id);
      expect(err.code).toBe(code);
      expect(err.message).toMatch(text);
      expect(client.about(id).some((m) => m.type === 'runStarted')).toBe(false);
      const after = [...t.fakes.values()].reduce((n, f) => n + f.started.length, 0);
      expect(after).toBe(before);
    });
  }

  it('refuses a run id already used on this connection with duplicate-id', async () => {
    client.send(runMessage('dup', 'stream', { stop: { kind: 'count', iterations: 5 } }));
    await client.final('dup');
    client.send(runMessage('dup', 'stream', { stop: { kind: 'count', iterations: 5 } }));
    const errors = await client.waitForCount((m) => m.type === 'error' && m.id === 'dup', 1);
    expect(errors[0]).toMatchObject({ code: 'duplicate-id' });
    expect(client.about('dup').filter((m) => m.type === 'runStarted')).toHaveLength(1);
  });

  it('answers a cancel for an unknown run with unknown-run', async () => {
    client.send({ type: 'cancel', id: 'never-ran' });
    const err = await client.waitFor(
      (m): m is Of<'error'> => m.type === 'error' && m.id === 'never-ran',
    );
    expect(err.code).toBe('unknown-run');
  });
});
