/**
 * Whole runs through the engine on Dawn: result files that validate, the three stop rules, the
 * CPU-clock fallback, cancel, a wrong kernel reported as failed and never timed, refusals before
 * allocation, user inputs and device loss.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readResult, tflops } from '../model/index.ts';
import type { AttentionConfig, RunProgress } from '../model/index.ts';
import { referenceAttention } from '../reference/attention.ts';
import { randomInputs } from '../reference/inputs.ts';
import { loadNodeShaderSources } from '../../shaders/sources.node.ts';
import type { AttentionEngine } from './engine.ts';
import { EngineError } from './errors.ts';
import { openNodeEngine } from './node/open.ts';

let engine: AttentionEngine;

beforeAll(async () => {
  engine = await openNodeEngine();
}, 60_000);

afterAll(() => {
  engine.destroy();
});

const config: AttentionConfig = {
  batch: 1,
  heads: 2,
  seqLen: 45,
  headDim: 32,
  causal: true,
  dtype: 'f32',
};

describe('a full run', () => {
  it('checks, times with timestamp queries and writes a valid result file', async () => {
    const phases: string[] = [];
    const progress: RunProgress[] = [];
    const streamed: number[] = [];
    let checks = 0;
    const { result, output } = await engine.run({
      config,
      kernel: 'flash-f32',
      stop: { kind: 'count', iterations: 12 },
      cache: 'cold',
      seed: 5,
      warmup: 2,
      onProgress: (p) => {
        progress.push(p);
        if (phases.at(-1) !== p.phase) phases.push(p.phase);
      },
      onSamples: (ms) => streamed.push(...ms),
      onCheck: () => (checks += 1),
    });
    expect(output).toBeUndefined();
    const file = readResult(JSON.parse(JSON.stringify(result)));
    expect(file.status).toBe('completed');
    expect(file.target).toMatchObject({ backend: 'dawn', kernel: 'flash-f32' });
    expect(file.target.kernelParams).toMatchObject({ Br: 16, Bc: 8, workgroupSize: 16 });
    expect(file.correctness).toMatchObject({
      passed: true,
      rowsChecked: 90,
      rowsTotal: 90,
      reference: 'f64-cpu',
    });
    expect(checks).toBe(1);
    expect(file.samples.ms).toHaveLength(12);
    expect(streamed).toEqual(file.samples.ms);
    expect(file.samples.ms.every((x) => x > 0)).toBe(true);
    expect(file.timing.method).toBe('timestamp-query');
    // Dawn in Node runs with timestamp quantization off: nanosecond ticks.
    expect(file.timing.quantumMs).toBeLessThanOrEqual(1e-3);
    expect(file.env.adapter?.timestampQuantumMs).toBe(file.timing.quantumMs);
    expect(file.timing.dispatchesPerSample).toBe(1);
    // Warmup + at least one calibration round, which is 2 to 8 samples: fewer when a launch is
    // slow, as on a loaded CI machine's SwiftShader.
    expect(file.timing.warmup).toBeGreaterThanOrEqual(2 + 2);
    expect(file.timing.inputSets).toBe(8);
    expect(file.env.adapter).toMatchObject({
      vendor: expect.any(String) as string,
      runtime: expect.stringMatching(/^node-dawn /) as string,
    });
    expect(file.env.adapter?.features).toContain('timestamp-query');
    expect(file.env.adapter?.limits.maxComputeWorkgroupStorageSize).toBeGreaterThanOrEqual(16_384);
    expect(file.env.host?.node).toBe(process.version);
    const derived = file.derived;
    expect(derived).not.toBeNull();
    expect(derived?.tflops).toBeCloseTo(tflops(config, derived?.medianMs ?? 1), 12);
    expect(derived?.ci[0]).toBeLessThanOrEqual(derived?.medianMs ?? 0);
    expect(phases).toEqual(['setup', 'checking', 'warmup', 'timing', 'done']);
    expect(progress.at(-1)).toMatchObject({ samples: 12, expected: 12 });
    expect(file.memory.estimateBytes).toBe(90 * 32 * 4 * (3 * 8 + 2));
  }, 60_000);

  it('falls back to the CPU clock, labelled lower precision, with samples spanning ≥ 2 ms', async () => {
    const { result } = await engine.run({
      config,
      kernel: 'naive-f32',
      stop: { kind: 'count', iterations: 4 },
      cache: 'warm',
      seed: 6,
      warmup: 1,
      timing: 'cpu-clock',
    });
    expect(result.status).toBe('completed');
    expect(result.timing.method).toBe('cpu-clock');
    expect(result.timing.notes.join(' ')).toMatch(/no timestamp-query.*lower precision/);
    expect(result.timing.inputSets).toBe(1);
    expect(result.samples.ms).toHaveLength(4);
    const spanMs = Math.min(...result.samples.ms) * result.timing.dispatchesPerSample;
    expect(spanMs).toBeGreaterThan(1);
  }, 60_000);

  it('stops on a time budget and on a CI target', async () => {
    const t0 = performance.now();
    const timed = await engine.run({
      config,
      kernel: 'flash-subgroup',
      stop: { kind: 'time', budgetMs: 400 },
      cache: 'warm',
      seed: 7,
      warmup: 1,
    });
    expect(timed.result.status).toBe('completed');
    expect(timed.result.samples.ms.length).toBeGreaterThan(0);
    expect(performance.now() - t0).toBeLessThan(20_000);
    const ci = await engine.run({
      config,
      kernel: 'flash-f32',
      stop: { kind: 'ci', target: 0.5, maxIterations: 40 },
      cache: 'warm',
      seed: 8,
      warmup: 1,
    });
    expect(ci.result.status).toBe('completed');
    expect(ci.result.samples.ms.length).toBeGreaterThanOrEqual(10); // the CI rule's minimum
    expect(ci.result.samples.ms.length).toBeLessThanOrEqual(40);
  }, 60_000);

  it('is cancelled by its signal, keeping the partial samples', async () => {
    const controller = new AbortController();
    const { result } = await engine.run({
      config,
      kernel: 'flash-f32',
      stop: { kind: 'count', iterations: 100_000 },
      cache: 'warm',
      seed: 9,
      warmup: 1,
      signal: controller.signal,
      onSamples: () => {
        controller.abort();
      },
    });
    expect(result.status).toBe('cancelled');
    expect(result.error?.code).toBe('cancelled');
    expect(result.samples.partial).toBe(true);
    expect(result.samples.ms.length).toBeGreaterThan(0);
    expect(result.samples.ms.length).toBeLessThan(100_000);
  }, 60_000);

  it('returns the output of user inputs for --save-output, matching the reference', async () => {
    const c: AttentionConfig = {
      batch: 2,
      heads: 1,
      seqLen: 19,
      headDim: 16,
      causal: false,
      dtype: 'f32',
      scale: 0.2,
    };
    const inputs = randomInputs(c, 1234, 'normal');
    const { result, output } = await engine.run({
      config: c,
      kernel: 'flash-f32',
      stop: { kind: 'count', iterations: 2 },
      cache: 'warm',
      seed: 1,
      warmup: 0,
      inputs,
      wantOutput: true,
    });
    expect(result.status).toBe('completed');
    const ref = referenceAttention(c, inputs);
    expect(output).toHaveLength(ref.length);
    output?.forEach((v, i) => {
      expect(v).toBeCloseTo(ref[i] ?? Number.NaN, 5);
    });
  }, 60_000);

  it('runs f16 kernels on rounded inputs and reports how the math ran', async () => {
    const { result } = await engine.run({
      config: { ...config, dtype: 'f16' },
      kernel: 'flash-f16',
      stop: { kind: 'count', iterations: 3 },
      cache: 'warm',
      seed: 10,
      warmup: 1,
    });
    expect(result.status).toBe('completed');
    expect(result.correctness?.tolerance).toBe(5e-3);
    expect(result.correctness?.relL2Err).toBeGreaterThan(1e-6); // f16 storage really rounds
    expect(result.target.kernelParams.math).toBe(
      engine.traits.features.has('shader-f16') ? 'f16' : 'f32 (no shader-f16)',
    );
  }, 60_000);
});

describe('failures and refusals', () => {
  it('reports a kernel that leaves rows unwritten (the NaN poison) as failed and never times it', async () => {
    const sources = await loadNodeShaderSources();
    const file = 'flash-f32/flash_f32.wgsl';
    const good = sources[file] ?? '';
    const broken = good.replace('if (row_valid) {', 'if (row_valid && row != 5u) {');
    expect(broken).not.toBe(good);
    const bad = await openNodeEngine({ sources: { ...sources, [file]: broken } });
    try {
      let sampled = 0;
      const { result } = await bad.run({
        config,
        kernel: 'flash-f32',
        stop: { kind: 'count', iterations: 5 },
        cache: 'warm',
        seed: 11,
        onSamples: () => (sampled += 1),
      });
      expect(result.status).toBe('failed');
      expect(result.error?.code).toBe('correctness-failed');
      expect(result.correctness?.passed).toBe(false);
      expect(result.correctness?.relL2Err).toBeNull();
      expect(result.correctness?.note).toMatch(/non-finite output .* at \[b=0, h=0, s=5, d=0\]/);
      expect(result.samples.ms).toEqual([]);
      expect(result.derived).toBeNull();
      expect(sampled).toBe(0);
    } finally {
      bad.destroy();
    }
  }, 60_000);

  it('fails a kernel with slightly wrong math against the f32 tolerance', async () => {
    const sources = await loadNodeShaderSources();
    const file = 'flash-f32/flash_f32.wgsl';
    const bad = await openNodeEngine({
      sources: { ...sources, [file]: (sources[file] ?? '').replace('l += p;', 'l += p * 1.0001;') },
    });
    try {
      const { correctness } = await bad.check(config, 'flash-f32', { seed: 12 });
      expect(correctness.passed).toBe(false);
      expect(correctness.relL2Err).toBeGreaterThan(1e-5);
      expect(correctness.relL2Err).toBeLessThan(1e-2);
    } finally {
      bad.destroy();
    }
  }, 60_000);

  it('refuses oversized configs with the numbers before allocating', async () => {
    const huge: AttentionConfig = {
      batch: 1,
      heads: 16,
      seqLen: 8192,
      headDim: 64,
      causal: false,
      dtype: 'f32',
    };
    const limit = engine.traits.limits.maxStorageBufferBindingSize;
    await expect(
      engine.run({
        config: huge,
        kernel: 'naive-f32',
        stop: { kind: 'count', iterations: 1 },
        cache: 'warm',
        seed: 1,
      }),
    ).rejects.toThrow(
      new RegExp(
        `S×Skv score matrix .* needs 4\\.00 GiB \\(4294967296 bytes\\) in one buffer, but this adapter's max\\w+ is .* \\(${Math.min(limit, engine.traits.limits.maxBufferSize)} bytes\\)`,
      ),
    );
    const err = await engine
      .run({
        config: { ...huge, batch: 4096, heads: 1024, seqLen: 65_536 },
        kernel: 'flash-f32',
        stop: { kind: 'count', iterations: 1 },
        cache: 'warm',
        seed: 1,
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('too-large-for-device');
    expect((err as EngineError).message).toContain('64.00 TiB');
  }, 60_000);

  it('reports device loss and can be re-opened', async () => {
    const doomed = await openNodeEngine();
    doomed.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(doomed.lost).toBe(true);
    const { result } = await doomed.run({
      config,
      kernel: 'flash-f32',
      stop: { kind: 'count', iterations: 2 },
      cache: 'warm',
      seed: 1,
    });
    expect(result.status).toBe('failed');
    expect(result.error?.message).toMatch(/lost|destroyed/i);
    const fresh = await openNodeEngine();
    try {
      expect((await fresh.check(config, 'flash-f32')).correctness.passed).toBe(true);
    } finally {
      fresh.destroy();
    }
  }, 60_000);
});
