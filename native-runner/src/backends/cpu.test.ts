/**
 * The CPU backend end to end (real harness process, compiled on first use) against the f64
 * reference of src/reference, on fresh seeded inputs — and on the harness's own seeded inputs,
 * which must be the generator of seeded-inputs.ts bit for bit.
 */
import { describe, expect, it } from 'vitest';
import { readResult, validateConfig } from '../../../src/model/index.ts';
import type { AttentionConfig, InputTensors } from '../../../src/model/index.ts';
import { referenceAttention } from '../../../src/reference/attention.ts';
import { randomInputs } from '../../../src/reference/inputs.ts';
import { directRunner } from '../direct.ts';
import { nativeInputValue, nativeInputs } from './seeded-inputs.ts';

const run = directRunner('cpu');

function errors(out: Float32Array, ref: Float64Array): { maxAbs: number; relL2: number } {
  let maxAbs = 0;
  let se = 0;
  let sr = 0;
  for (let i = 0; i < ref.length; i++) {
    const e = Math.abs((out[i] ?? Number.NaN) - (ref[i] ?? 0));
    maxAbs = Math.max(maxAbs, Number.isNaN(e) ? Infinity : e);
    se += e * e;
    sr += (ref[i] ?? 0) ** 2;
  }
  return { maxAbs, relL2: Math.sqrt(se / sr) };
}

async function runChecked(kernel: string, config: AttentionConfig, inputs?: InputTensors) {
  const outcome = await run({
    config,
    kernel,
    stop: { kind: 'count', iterations: 3 },
    cache: 'warm',
    seed: 11,
    inputs,
    wantOutput: true,
  });
  // The result survives a JSON round trip through the strict reader.
  readResult(JSON.parse(JSON.stringify(outcome.result)));
  return outcome;
}

const CASES: { kernel: string; config: Partial<AttentionConfig> }[] = [
  { kernel: 'cpu-flash-f32', config: { batch: 2, heads: 2, seqLen: 77, headDim: 64 } },
  {
    kernel: 'cpu-flash-f32',
    config: { batch: 1, heads: 2, seqLen: 77, headDim: 64, causal: true },
  },
  {
    kernel: 'cpu-flash-f32',
    config: { batch: 1, heads: 3, seqLen: 130, headDim: 32, causal: true, scale: 1 },
  },
  { kernel: 'cpu-flash-f32', config: { batch: 1, heads: 1, seqLen: 1, headDim: 8 } },
  {
    kernel: 'cpu-naive-f32',
    config: { batch: 1, heads: 2, seqLen: 65, headDim: 128, causal: true },
  },
  { kernel: 'cpu-naive-f32', config: { batch: 2, heads: 1, seqLen: 96, headDim: 40 } },
];

describe('cpu backend vs the f64 reference', () => {
  for (const { kernel, config: partial } of CASES) {
    const config = validateConfig({ causal: false, dtype: 'f32', ...partial });
    const label = `${kernel} B=${config.batch} H=${config.heads} S=${config.seqLen} D=${config.headDim}${config.causal ? ' causal' : ''}${config.scale ? ` scale=${config.scale}` : ''}`;
    it(`${label} matches on fresh normal inputs`, async () => {
      const inputs = randomInputs(config, 20_000 + config.seqLen, 'normal');
      const { result, output } = await runChecked(kernel, config, inputs);
      expect(result.status).toBe('completed');
      expect(result.error).toBeUndefined();
      expect(result.correctness?.passed).toBe(true);
      expect(result.correctness?.reference).toBe('f64-cpu');
      expect(output).toBeInstanceOf(Float32Array);
      const e = errors(output ?? new Float32Array(0), referenceAttention(config, inputs));
      expect(e.relL2).toBeLessThan(2e-6);
      expect(e.maxAbs).toBeLessThan(2e-5);
      // The harness's own check agrees with ours to an order of magnitude.
      expect(result.correctness?.relL2Err ?? 1).toBeLessThan(1e-5);
      expect(result.samples.ms).toHaveLength(3);
      expect(result.samples.ms.every((x) => x > 0)).toBe(true);
      expect(result.samples.partial).toBe(false);
      expect(result.timing.method).toBe('cpu-clock');
      expect(result.derived?.medianMs).toBeGreaterThan(0);
      expect(result.target).toMatchObject({ backend: 'cpu', kernel });
    });
  }

  it('draws the same seeded inputs as seeded-inputs.ts (no --inputs)', async () => {
    const config = validateConfig({
      batch: 1,
      heads: 2,
      seqLen: 50,
      headDim: 24,
      causal: true,
      dtype: 'f32',
    });
    const { result, output } = await runChecked('cpu-flash-f32', config);
    expect(result.correctness?.passed).toBe(true);
    const e = errors(
      output ?? new Float32Array(0),
      referenceAttention(config, nativeInputs(config, 11)),
    );
    expect(e.relL2).toBeLessThan(2e-6);
  });

  it('known generator values (shared with reference.hpp and harness_common.py)', () => {
    // Printed by the C++ input_value(1, t, i) for t = 0..2, i = 0..2.
    expect(nativeInputValue(1, 0, 0)).toBe(Math.fround(0.822786927));
    expect(nativeInputValue(1, 1, 2)).toBe(Math.fround(-0.0541377366));
    expect(nativeInputValue(1, 2, 1)).toBe(Math.fround(1.31909382));
  });

  it('labels a cold run and keeps one sample per launch', async () => {
    const config = validateConfig({
      batch: 1,
      heads: 1,
      seqLen: 32,
      headDim: 16,
      causal: false,
      dtype: 'f32',
    });
    const { result } = await run({
      config,
      kernel: 'cpu-naive-f32',
      stop: { kind: 'count', iterations: 4 },
      cache: 'cold',
      seed: 3,
    });
    expect(result.timing.cache).toBe('cold');
    expect(result.timing.notes.join(' ')).toMatch(/cold: .* written before each sample/);
    expect(result.samples.ms).toHaveLength(4);
    expect(result.memory.peakBytes).toBeGreaterThan(0);
    expect(result.memory.deviceTotalBytes).toBeGreaterThan(0);
  });
});
