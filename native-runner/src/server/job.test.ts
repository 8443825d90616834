/**
 * A job's message stream, driven directly with fake timers: samples are batched and flushed
 * within `flushMs`, bursts are split, sequence numbers have no gaps, and the final message is
 * the last one. Also the protocol's size limit on the final result.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  MAX_MESSAGE_BYTES,
  MAX_SERVER_MESSAGE_BYTES,
  serverMessageSchema,
} from '../../../src/model/index.ts';
import type { ResultFile, ServerMessage, ServerMessageInput } from '../../../src/model/index.ts';
import { createRng } from '../../../src/stats/index.ts';
import type { Backend, JobHooks, JobRequest } from '../backend.ts';
import { Job } from './job.ts';
import { emptyObserved, finalizeResult, resultErrorCode, synthesizeResult } from './outcome.ts';
import { ResultStore } from './results.ts';
import { SMALL_CONFIG } from './testing/setup.ts';
import { encodeServerMessage, finalMessage } from './wire.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attnlab-job-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.useRealTimers();
});

const request: JobRequest = {
  id: 'j1',
  config: SMALL_CONFIG,
  kernel: 'k',
  stop: { kind: 'count', iterations: 10 },
  cache: 'cold',
  seed: 5,
};

/** A backend whose single job is driven by the test through the captured hooks. */
function manualBackend() {
  let hooks: JobHooks | undefined;
  let finish: (r: ResultFile) => void = () => undefined;
  const backend: Backend = {
    id: 'manual',
    discover: () => Promise.resolve({ id: 'manual', available: true, kernels: [] }),
    env: () => Promise.resolve({}),
    start(_req, h) {
      hooks = h;
      return {
        done: new Promise<ResultFile>((resolve) => {
          finish = resolve;
        }),
        cancel: () => undefined,
      };
    },
  };
  return {
    backend,
    hooks: () => {
      if (!hooks) throw new Error('job not started');
      return hooks;
    },
    finish: (r: ResultFile) => {
      finish(r);
    },
  };
}

function makeJob(backend: Backend) {
  const sent: ServerMessage[] = [];
  const job = new Job(request, {
    backend,
    env: {},
    store: new ResultStore(dir),
    timeoutMs: 60_000,
    cancelGraceMs: 1000,
    flushMs: 50,
    log: () => undefined,
    send: (m: ServerMessageInput) => {
      sent.push(serverMessageSchema.parse(m));
    },
  });
  return { job, sent };
}

describe('sample batching', () => {
  it('holds samples at most flushMs, splits bursts, and numbers batches without gaps', async () => {
    vi.useFakeTimers();
    const m = manualBackend();
    const { job, sent } = makeJob(m.backend);
    const running = job.run();
    const samples = () => sent.filter((x) => x.type === 'samples');
    const rng = createRng(9);
    const draw = (n: number) => Array.from({ length: n }, () => 0.5 + rng.next());

    const first = draw(3);
    m.hooks().onSamples(first, undefined);
    await vi.advanceTimersByTimeAsync(49);
    expect(samples()).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(samples()).toEqual([{ type: 'samples', id: 'j1', seq: 0, ms: first }]);

    // Samples arriving over time share a batch; throttle flags appear mid-batch and stay aligned.
    const a = draw(2);
    const b = draw(2);
    m.hooks().onSamples(a, undefined);
    await vi.advanceTimersByTimeAsync(20);
    m.hooks().onSamples(b, [true, false]);
    m.hooks().onProgress({ phase: 'timing', samples: 7, elapsedMs: 70, medianMs: 1, expected: 10 });
    await vi.advanceTimersByTimeAsync(30);
    expect(samples()[1]).toEqual({
      type: 'samples',
      id: 'j1',
      seq: 1,
      ms: [...a, ...b],
      throttled: [false, false, true, false],
    });
    expect(sent.at(-1)).toMatchObject({
      type: 'progress',
      state: 'running',
      samples: 7,
      phase: 'timing',
    });

    // A burst larger than one batch goes out at once, split; nothing is left for the timer.
    const burst = draw(5000);
    m.hooks().onSamples(burst, undefined);
    const sizes = () =>
      samples()
        .slice(2)
        .map((s) => s.ms.length);
    expect(sizes()).toEqual([4096, 904]);
    await vi.advanceTimersByTimeAsync(100);
    expect(sizes()).toEqual([4096, 904]);
    const all = samples();
    expect(all.map((s) => s.seq)).toEqual([0, 1, 2, 3]);
    expect(all.flatMap((s) => s.ms)).toEqual([...first, ...a, ...b, ...burst]);

    // Pending samples go out before the final message, which is the last one.
    const tail = draw(2);
    m.hooks().onSamples(tail, undefined);
    const all2 = [...first, ...a, ...b, ...burst, ...tail];
    const completed = {
      ...synthesizeResult({
        request,
        backendId: 'manual',
        env: {},
        createdAt: new Date().toISOString(),
        observed: { ...emptyObserved(), ms: all2 },
        status: 'failed',
        error: { code: 'x', message: 'x' },
      }),
      status: 'completed' as const,
      error: undefined,
    };
    m.finish(completed);
    vi.useRealTimers();
    await running;
    expect(sent.at(-2)).toMatchObject({ type: 'samples', seq: 4, ms: tail });
    expect(sent.at(-1)).toMatchObject({ type: 'runDone', id: 'j1' });
    expect(job.state).toBe('completed');
  });
});

describe('outcomes', () => {
  const base = synthesizeResult({
    request,
    backendId: 'cuda',
    env: {},
    createdAt: '2025-01-01T00:00:00.000Z',
    observed: { ...emptyObserved(), ms: [1, 2, 3] },
    status: 'cancelled',
    error: { code: 'cancelled', message: 'by backend' },
  });

  it('marks a timeout as failed and a vanished client as cancelled, samples partial', () => {
    const timeout = finalizeResult(base, { code: 'timeout', message: 'too slow' });
    expect([timeout.status, timeout.error, timeout.samples.partial]).toEqual([
      'failed',
      { code: 'timeout', message: 'too slow' },
      true,
    ]);
    expect(resultErrorCode(timeout)).toBe('timeout');
    const gone = finalizeResult(base, { code: 'client-gone', message: 'left' });
    expect([gone.status, resultErrorCode(gone)]).toEqual(['cancelled', 'client-gone']);
    // A run that completed before the cancel took effect stays completed.
    const done = { ...base, status: 'completed' as const, error: undefined };
    expect(finalizeResult(done, { code: 'cancelled', message: 'late' })).toBe(done);
    // Backend codes outside the protocol's list become harness-error, the detail kept.
    const cuda = {
      ...base,
      status: 'failed' as const,
      error: { code: 'cuda-error', message: 'illegal address' },
    };
    expect(resultErrorCode(finalizeResult(cuda, undefined))).toBe('harness-error');
    expect(base.timing.method).toBe('cuda-event');
    expect(base.derived?.medianMs).toBe(2);
  });

  it('sends the biggest legal run whole, and under a smaller limit rounds samples or names the file', () => {
    const rng = createRng(3);
    const big = (n: number, flags: boolean): ResultFile => ({
      ...base,
      samples: {
        ms: Array.from({ length: n }, () => 0.1 + rng.next() / 3),
        ...(flags ? { throttled: Array.from({ length: n }, () => false) } : {}),
        partial: false,
      },
      status: 'completed',
      error: undefined,
    });
    // 100,000 samples (the stop rule's maximum) with throttle flags and 6,000 clock readings.
    const largest: ResultFile = {
      ...big(100_000, true),
      clocks: Array.from({ length: 6000 }, (_, i) => ({
        t: i * 100.123,
        smClockMHz: 1980,
        throttleReasons: [],
      })),
    };
    const whole = finalMessage('j1', largest, undefined, {
      ok: true,
      path: '/r/largest.json',
    });
    expect(whole.type).toBe('runDone');
    if (whole.type !== 'runDone') return;
    expect(whole.result.samples.ms).toEqual(largest.samples.ms);
    const encoded = encodeServerMessage(whole);
    expect(encoded.ok).toBe(true);
    if (!encoded.ok) return;
    expect(Buffer.byteLength(encoded.text)).toBeGreaterThan(MAX_MESSAGE_BYTES);
    expect(Buffer.byteLength(encoded.text)).toBeLessThanOrEqual(MAX_SERVER_MESSAGE_BYTES);

    // The fallbacks, under a 1 MiB limit.
    const medium = big(60_000, false);
    expect(Buffer.byteLength(JSON.stringify(medium))).toBeGreaterThan(MAX_MESSAGE_BYTES);
    const fitted = finalMessage(
      'j1',
      medium,
      undefined,
      { ok: true, path: '/r/x.json' },
      MAX_MESSAGE_BYTES,
    );
    expect(fitted.type).toBe('runDone');
    if (fitted.type !== 'runDone') return;
    expect(Buffer.byteLength(JSON.stringify(fitted))).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    const ms = fitted.result.samples.ms;
    expect(ms).toHaveLength(medium.samples.ms.length);
    const worst = Math.max(...ms.map((x, i) => Math.abs(x - (medium.samples.ms[i] ?? 0)) / x));
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThan(1e-5);
    expect(fitted.result.timing.notes?.at(-1)).toMatch(/rounded to 6 significant digits/);

    const huge = finalMessage(
      'j1',
      big(100_000, true),
      undefined,
      { ok: true, path: '/r/huge.json' },
      MAX_MESSAGE_BYTES,
    );
    expect(huge).toMatchObject({ type: 'error', code: 'too-large', id: 'j1' });
    expect(huge.type === 'error' ? huge.message : '').toMatch(
      /100000 samples.*saved to \/r\/huge\.json/,
    );
  });
});
