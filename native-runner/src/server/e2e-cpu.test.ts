/**
 * End to end with the real backends from the registry (cuda, sdpa, cpu) over a real socket on
 * 127.0.0.1: the C++ CPU harness streams a run that ends in runDone with a valid, saved result;
 * a cancel, a killed harness process and a job timeout each end with the right error and the
 * partial samples. Needs g++ (the cpu backend compiles its harness on first use).
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultSchema } from '../../../src/model/index.ts';
import type { ServerMessage } from '../../../src/model/index.ts';
import { createBackends } from '../registry.ts';
import { TestClient, is } from './testing/client.ts';
import type { FinalMessage } from './testing/client.ts';
import { startTestServer } from './testing/setup.ts';
import type { TestServer } from './testing/setup.ts';

type Of<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

const CONFIG = { batch: 1, heads: 2, seqLen: 64, headDim: 32, causal: false, dtype: 'f32' };

function run(id: string, stop: unknown, kernel = 'cpu-flash-f32'): Record<string, unknown> {
  return { type: 'run', id, backend: 'cpu', kernel, config: CONFIG, stop, seed: 42 };
}

function streamed(c: TestClient, id: string): number[] {
  return c
    .about(id)
    .filter((m): m is Of<'samples'> => m.type === 'samples')
    .flatMap((m) => m.ms);
}

function errorOf(m: FinalMessage): Of<'error'> {
  if (m.type !== 'error') throw new Error(`expected an error, got ${m.type}`);
  return m;
}

/** Pids of this process's children whose command line contains `needle`. */
function childPids(needle: string): number[] {
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], {
    encoding: 'utf8',
  });
  return out
    .split('\n')
    .filter((line) => line.includes(needle))
    .map((line) => Number.parseInt(line.trim(), 10))
    .filter((pid) => Number.isInteger(pid));
}

let t: TestServer;
let client: TestClient;

beforeAll(async () => {
  t = await startTestServer({ backends: createBackends() });
  client = await TestClient.open(t.server.url);
}, 120_000);

afterAll(async () => {
  client.close();
  await t.stop();
  expect(client.invalid).toEqual([]);
});

describe('the real cpu backend over a socket', () => {
  it('is listed with its kernels; missing GPU backends say why', async () => {
    client.send({ type: 'hello' });
    const welcome = await client.waitFor(is.welcome);
    const cpu = welcome.backends.find((b) => b.id === 'cpu');
    expect(cpu?.available).toBe(true);
    expect(cpu?.kernels.map((k) => k.id)).toContain('cpu-flash-f32');
    for (const b of welcome.backends.filter((x) => !x.available)) {
      expect(b.reason ?? '').not.toBe('');
    }
  });

  it('streams a run and ends with runDone carrying a valid, saved result', async () => {
    client.send(run('e2e-stream', { kind: 'count', iterations: 30 }));
    const done = await client.final('e2e-stream', 60_000);
    if (done.type !== 'runDone') throw new Error(`expected runDone: ${JSON.stringify(done)}`);
    const { result } = done;
    expect(resultSchema.safeParse(result).success).toBe(true);
    expect(result.status).toBe('completed');
    expect(result.target).toMatchObject({ backend: 'cpu', kernel: 'cpu-flash-f32' });
    expect(result.config).toEqual(CONFIG);
    expect(result.correctness?.passed).toBe(true);
    expect(result.correctness?.relL2Err).toBeLessThan(1e-4);
    expect(result.samples.ms).toHaveLength(30);
    expect(streamed(client, 'e2e-stream')).toEqual(result.samples.ms);
    expect(result.derived?.medianMs).toBeGreaterThan(0);
    const seq = client
      .about('e2e-stream')
      .filter((m): m is Of<'samples'> => m.type === 'samples')
      .map((m) => m.seq);
    expect(seq).toEqual(seq.map((_, i) => i));
    const types = client.about('e2e-stream').map((m) => m.type);
    expect(types[0]).toBe('runStarted');
    expect(types).toContain('check');
    expect(types.indexOf('check')).toBeLessThan(types.indexOf('samples'));
    const [saved] = await t.resultsOf('e2e-stream');
    expect(saved).toEqual(result);
  }, 60_000);

  it('cancels a running harness: error cancelled, partial samples kept and marked', async () => {
    client.send(run('e2e-cancel', { kind: 'count', iterations: 100_000 }));
    await client.waitForCount((m) => m.type === 'samples' && m.id === 'e2e-cancel', 1, 60_000);
    client.send({ type: 'cancel', id: 'e2e-cancel' });
    const err = errorOf(await client.final('e2e-cancel', 30_000));
    expect(err.code).toBe('cancelled');
    expect(err.result?.status).toBe('cancelled');
    expect(err.result?.samples.partial).toBe(true);
    const seen = streamed(client, 'e2e-cancel');
    expect(seen.length).toBeGreaterThan(0);
    expect(err.result?.samples.ms.slice(0, seen.length)).toEqual(seen);
    expect((await t.resultsOf('e2e-cancel'))[0]?.status).toBe('cancelled');
  }, 60_000);

  it('reports a killed harness as harness-crash and keeps serving', async () => {
    client.send(run('e2e-kill', { kind: 'count', iterations: 100_000 }));
    await client.waitForCount((m) => m.type === 'samples' && m.id === 'e2e-kill', 1, 60_000);
    const pids = childPids('native-runner/build');
    expect(pids).toHaveLength(1);
    process.kill(pids[0] ?? -1, 'SIGKILL');
    const err = errorOf(await client.final('e2e-kill', 30_000));
    expect(err.code).toBe('harness-crash');
    expect(err.message).toMatch(/SIGKILL/);
    expect(err.result?.status).toBe('failed');
    expect(err.result?.samples.partial).toBe(true);
    expect(err.result?.samples.ms.length).toBeGreaterThan(0);
    client.send(run('e2e-after-kill', { kind: 'count', iterations: 5 }));
    expect((await client.final('e2e-after-kill', 60_000)).type).toBe('runDone');
  }, 90_000);

  it('stops a run past the job timeout with error timeout and its partial samples', async () => {
    const short = await startTestServer({ backends: createBackends(), jobTimeoutMs: 2000 });
    try {
      const c = await TestClient.open(short.server.url);
      c.send(run('e2e-timeout', { kind: 'count', iterations: 100_000 }));
      const err = errorOf(await c.final('e2e-timeout', 30_000));
      expect(err.code).toBe('timeout');
      expect(err.message).toMatch(/past the runner's 2 s job timeout/);
      expect(err.result?.status).toBe('failed');
      expect(err.result?.samples.partial).toBe(true);
      expect(err.result?.samples.ms).toEqual(streamed(c, 'e2e-timeout'));
      expect(childPids('native-runner/build')).toEqual([]);
      expect((await short.resultsOf('e2e-timeout'))[0]?.error?.code).toBe('timeout');
      expect(c.invalid).toEqual([]);
      c.close();
    } finally {
      await short.stop();
    }
  }, 60_000);
});
