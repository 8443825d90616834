/**
 * The job driver over real child processes: a scripted fake harness (Node) that streams, hangs,
 * crashes, lies or ignores SIGTERM, so every ending — stop rule met, cancel, killed harness,
 * idle timeout, protocol garbage, harness error — is exercised for real.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readResult, validateConfig } from '../../src/model/index.ts';
import type {
  ClockReading,
  Correctness,
  Memory,
  RunProgress,
  StopRule,
} from '../../src/model/index.ts';
import { RunnerError } from './backend.ts';
import type { JobHooks } from './backend.ts';
import { harnessArgs, runHarness, toErrorCode } from './driver.ts';
import type { DriverJob } from './driver.ts';

const FAKE = `
const mode = process.argv[2];
const args = process.argv.slice(3);
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
const flag = (name) => { const i = args.indexOf(name); return i < 0 ? undefined : args[i + 1]; };
const timing = { method: 'cuda-event', quantumMs: 0.0005, dispatchesPerSample: 1, warmup: 2,
  cache: 'cold', stopRule: { kind: 'count', iterations: 1 }, notes: ['fake harness'] };
out({ type: 'hello', schema: 'attnlab/harness@1', backend: 'fake', kernel: flag('--kernel'),
  kernelParams: { tile: 64 }, env: { gpu: { name: 'Fake GPU' } } });
if (mode === 'garbage') { process.stdout.write('this is not json\\n'); setInterval(() => {}, 1000); }
else if (mode === 'error' || mode === 'cuda-error') {
  out({ type: 'check', correctness: { reference: 'f64-cpu', rowsChecked: 4, rowsTotal: 8,
    maxAbsErr: 0.5, relL2Err: 0.3, tolerance: 0.005, passed: false } });
  out({ type: 'error', code: mode === 'error' ? 'correctness-failed' : 'cuda-error',
    message: mode === 'error' ? 'kernel does not match' : 'illegal address' });
  process.exit(1);
} else {
  out({ type: 'check', correctness: { reference: 'f64-cpu', rowsChecked: 4, rowsTotal: 8,
    maxAbsErr: 1e-7, relL2Err: 1e-7, tolerance: 1e-4, passed: true } });
  out({ type: 'memory', memory: { estimateBytes: 1000, peakBytes: 1200, deviceTotalBytes: 10000,
    usageFraction: 0.12, oomRisk: false } });
  out({ type: 'log', message: 'phase timing' });
  if (mode === 'ignore-term') process.on('SIGTERM', () => {});
  let i = 0, stopped = false;
  const iterations = Number(flag('--iterations') ?? 0);
  process.stdin.on('data', (d) => { if (String(d).includes('stop')) stopped = true; });
  const tick = setInterval(() => {
    if (stopped || (iterations > 0 && i >= iterations)) {
      clearInterval(tick);
      out({ type: 'done', timing });
      process.exit(0);
    }
    if ((mode === 'hang' || mode === 'ignore-term') && i >= 6) return;
    if (mode === 'crash' && i >= 6) process.kill(process.pid, 'SIGKILL');
    const n = iterations > 0 ? Math.min(3, iterations - i) : 3;
    const ms = Array.from({ length: n }, (_, j) => 1 + ((i + j) % 5) * 0.001);
    out({ type: 'samples', ms, throttled: ms.map((_, j) => (i + j) % 7 === 0) });
    out({ type: 'clock', clock: { t: i, smClockMHz: 1980, throttleReasons: [] } });
    i += n;
  }, 5);
}
`;

const dir = mkdtempSync(join(tmpdir(), 'attnlab-driver-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
const script = join(dir, 'fake-harness.cjs');
writeFileSync(script, FAKE);

const config = validateConfig({
  batch: 1,
  heads: 2,
  seqLen: 64,
  headDim: 32,
  causal: false,
  dtype: 'f16',
});

interface Seen {
  samples: number[][];
  throttled: (boolean[] | undefined)[];
  checks: Correctness[];
  memory: Memory[];
  clocks: ClockReading[];
  progress: RunProgress[];
}

function hooks(): { hooks: JobHooks; seen: Seen } {
  const seen: Seen = {
    samples: [],
    throttled: [],
    checks: [],
    memory: [],
    clocks: [],
    progress: [],
  };
  return {
    seen,
    hooks: {
      onSamples: (ms, t) => {
        seen.samples.push(ms);
        seen.throttled.push(t);
      },
      onCheck: (c) => seen.checks.push(c),
      onMemory: (m) => seen.memory.push(m),
      onClock: (c) => seen.clocks.push(c),
      onProgress: (p) => seen.progress.push(p),
    },
  };
}

function job(
  mode: string,
  stop: StopRule,
  extra: Partial<DriverJob> = {},
  idleTimeoutMs?: number,
): DriverJob {
  return {
    backend: 'fake',
    request: { id: 'r1', config, kernel: 'k', stop, cache: 'cold', seed: 5, idleTimeoutMs },
    resolve: () => Promise.resolve({ command: process.execPath, args: [script, mode] }),
    timingMethod: 'cuda-event',
    memoryModel: 'cuda',
    ...extra,
  };
}

describe('harnessArgs', () => {
  it('passes the config, seed, cache and the stop rule as harness flags', () => {
    const request = {
      id: 'a',
      config: { ...config, causal: true, scale: 0.25 },
      kernel: 'flash-v1',
      cache: 'warm' as const,
      seed: 9,
      warmup: 4,
    };
    const count = harnessArgs(
      { ...request, stop: { kind: 'count', iterations: 12 } },
      { inputsPath: '/x/qkv.f32', outputPath: '/x/o.f32' },
    );
    expect(count.join(' ')).toBe(
      '--kernel flash-v1 --batch 1 --heads 2 --seq 64 --dim 32 --causal 1 --dtype f16 --seed 9 --flush-ms 100 --scale 0.25 --warmup 4 --warm --iterations 12 --inputs /x/qkv.f32 --output /x/o.f32',
    );
    const ci = harnessArgs({
      ...request,
      stop: { kind: 'ci', target: 0.01, maxIterations: 300, maxMs: 9000 },
    });
    expect(ci.slice(-4)).toEqual(['--max-samples', '300', '--max-ms', '9000']);
    const time = harnessArgs({ ...request, stop: { kind: 'time', budgetMs: 1500 } });
    expect(time.slice(-2)).toEqual(['--max-ms', '1500']);
  });

  it('passes --kv-heads and --kv-seq only when K/V differ in shape from Q', () => {
    const base = {
      id: 'a',
      kernel: 'cpu-flash-f32',
      cache: 'warm' as const,
      seed: 1,
      stop: { kind: 'count' as const, iterations: 1 },
    };
    const gqa = harnessArgs({
      ...base,
      config: { ...config, heads: 4, kvHeads: 2, kvSeqLen: 300 },
    });
    expect(gqa.join(' ')).toContain('--kv-heads 2 --kv-seq 300');
    const square = harnessArgs({ ...base, config: { ...config, kvHeads: 2, kvSeqLen: 64 } });
    expect(square).not.toContain('--kv-heads');
  });

  it('maps harness error codes onto protocol codes', () => {
    expect(toErrorCode('correctness-failed')).toBe('correctness-failed');
    expect(toErrorCode('too-large-for-device')).toBe('too-large-for-device');
    expect(toErrorCode('cuda-error')).toBe('harness-error');
  });
});

describe('runHarness', () => {
  it('streams until the CI rule is met, then writes stop and completes', async () => {
    const { hooks: h, seen } = hooks();
    const result = await runHarness(
      job('stream', { kind: 'ci', target: 0.01, maxIterations: 5000, maxMs: 20_000 }),
      h,
    ).done;
    expect(result.status).toBe('completed');
    expect(result.samples.ms.length).toBeGreaterThanOrEqual(10);
    expect(result.samples.ms.length).toBeLessThan(60);
    expect(result.timing.notes).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^stopped after ${result.samples.ms.length} samples: the median's 95% CI narrowed to ±[\\d.]+%, within the ±1\\.0% target$`,
        ),
      ),
    );
    expect(result.timing.stopRule).toEqual({
      kind: 'ci',
      target: 0.01,
      maxIterations: 5000,
      maxMs: 20_000,
    });
    expect(result.samples.throttled).toHaveLength(result.samples.ms.length);
    expect(result.samples.throttled?.[0]).toBe(true);
    expect(result.derived?.medianMs).toBeCloseTo(1.002, 2);
    expect(result.target.kernelParams).toEqual({ tile: 64 });
    expect(result.env.gpu?.name).toBe('Fake GPU');
    expect(result.env.host?.node).toBe(process.version);
    expect(seen.samples.flat()).toEqual(result.samples.ms);
    expect(seen.checks).toHaveLength(1);
    expect(seen.memory).toHaveLength(1);
    expect(seen.clocks.length).toBeGreaterThan(0);
    expect(seen.progress.map((p) => p.phase)).toEqual(
      expect.arrayContaining(['compiling', 'setup', 'timing']),
    );
    readResult(JSON.parse(JSON.stringify(result)));
  });

  it('stops a time budget after it is spent', async () => {
    const t0 = performance.now();
    const result = await runHarness(job('stream', { kind: 'time', budgetMs: 200 }), hooks().hooks)
      .done;
    expect(result.status).toBe('completed');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(200);
    expect(result.timing.notes).toContainEqual(
      expect.stringMatching(/^stopped after \d+ samples: the 0\.2 s time budget was spent$/),
    );
  });

  it('takes a count from the harness itself', async () => {
    const result = await runHarness(job('stream', { kind: 'count', iterations: 7 }), hooks().hooks)
      .done;
    expect(result.status).toBe('completed');
    expect(result.samples.ms).toHaveLength(7);
  });

  it('cancel kills the harness and keeps the partial samples', async () => {
    const { hooks: h, seen } = hooks();
    const handle = runHarness(job('stream', { kind: 'time', budgetMs: 60_000 }), {
      ...h,
      onSamples: (ms, t) => {
        h.onSamples(ms, t);
        if (seen.samples.length === 2) handle.cancel('user pressed stop');
      },
    });
    const result = await handle.done;
    expect(result.status).toBe('cancelled');
    expect(result.error).toEqual({ code: 'cancelled', message: 'user pressed stop' });
    expect(result.samples.partial).toBe(true);
    expect(result.samples.ms.length).toBeGreaterThanOrEqual(6);
    expect(result.derived).not.toBeNull();
  });

  it('a harness killed mid-run fails with harness-crash and partial samples', async () => {
    const result = await runHarness(job('crash', { kind: 'time', budgetMs: 60_000 }), hooks().hooks)
      .done;
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('harness-crash');
    expect(result.error?.message).toMatch(/killed by SIGKILL/);
    expect(result.samples).toMatchObject({ partial: true });
    expect(result.samples.ms.length).toBeGreaterThanOrEqual(6);
  });

  it('a silent harness is killed after the idle timeout', async () => {
    const result = await runHarness(
      job('hang', { kind: 'time', budgetMs: 60_000 }, {}, 300),
      hooks().hooks,
    ).done;
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('timeout');
    expect(result.error?.message).toMatch(/printed nothing for 0.3 s/);
    expect(result.samples.partial).toBe(true);
  });

  it('a harness that ignores SIGTERM is killed with SIGKILL after the grace period', async () => {
    const handle = runHarness(
      job('ignore-term', { kind: 'time', budgetMs: 60_000 }, { killGraceMs: 200 }),
      hooks().hooks,
    );
    setTimeout(() => {
      handle.cancel('enough');
    }, 150);
    const result = await handle.done;
    expect(result.status).toBe('cancelled');
  });

  it('a non-JSON line fails the job with harness-error', async () => {
    const result = await runHarness(job('garbage', { kind: 'count', iterations: 3 }), hooks().hooks)
      .done;
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('harness-error');
    expect(result.error?.message).toMatch(/non-JSON line: this is not json/);
  });

  it('reports a failed correctness check and never has samples', async () => {
    const result = await runHarness(job('error', { kind: 'count', iterations: 3 }), hooks().hooks)
      .done;
    expect(result.status).toBe('failed');
    expect(result.error).toEqual({ code: 'correctness-failed', message: 'kernel does not match' });
    expect(result.correctness?.passed).toBe(false);
    expect(result.samples.ms).toEqual([]);
    expect(result.derived).toBeNull();
    expect(result.timing.notes).toContain('the run ended before the harness reported its timing');
  });

  it('keeps an unknown harness code in the message of harness-error', async () => {
    const result = await runHarness(
      job('cuda-error', { kind: 'count', iterations: 3 }),
      hooks().hooks,
    ).done;
    expect(result.error).toEqual({ code: 'harness-error', message: 'cuda-error: illegal address' });
  });

  it('a harness that cannot be prepared or started fails with the reason', async () => {
    const refused = await runHarness(
      job(
        'stream',
        { kind: 'count', iterations: 3 },
        { resolve: () => Promise.reject(new RunnerError('unsupported', 'no GPU here')) },
      ),
      hooks().hooks,
    ).done;
    expect(refused.error).toEqual({ code: 'unsupported', message: 'no GPU here' });
    const missing = await runHarness(
      job(
        'stream',
        { kind: 'count', iterations: 3 },
        { resolve: () => Promise.resolve({ command: join(dir, 'missing-binary'), args: [] }) },
      ),
      hooks().hooks,
    ).done;
    expect(missing.error?.code).toBe('harness-crash');
    expect(missing.error?.message).toMatch(/cannot start the fake harness/);
    expect(missing.memory.estimateBytes).toBeGreaterThan(0);
  });
});
