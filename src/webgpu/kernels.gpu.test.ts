/**
 * Every kernel × {non-causal, causal} × D ∈ {32, 64, 128} × odd S against the f64 reference, on
 * Dawn (SwiftShader without a GPU). S = 77 spans several Q and K/V tiles with ragged tails; S = 1
 * is the degenerate single key; S = 150 crosses many tiles with B·H > 1.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { KERNELS } from '../../shaders/index.ts';
import { TOLERANCE } from '../reference/check.ts';
import type { AttentionEngine } from './engine.ts';
import { openNodeEngine } from './node/open.ts';
import { unavailableReason } from './registry.ts';

// Opened at collection time: which kernels get the matrix depends on what this adapter offers.
const engine: AttentionEngine = await openNodeEngine();

afterAll(() => {
  engine.destroy();
});

const SHAPES = [
  { batch: 2, heads: 2, seqLen: 1 },
  { batch: 1, heads: 3, seqLen: 77 },
  { batch: 2, heads: 1, seqLen: 150 },
] as const;

/** Kernels this device can run get the matrix; the others must be refused with the reason. */
it('refuses the kernels this adapter cannot run, saying why', async () => {
  for (const kernel of KERNELS) {
    const reason = unavailableReason(kernel, engine.traits);
    if (reason === null) continue;
    const config = {
      batch: 1,
      heads: 1,
      seqLen: 16,
      headDim: 64,
      causal: false,
      dtype: kernel.dtype,
    };
    await expect(engine.check(config, kernel.id)).rejects.toThrow(`kernel: ${kernel.id} ${reason}`);
  }
});

const runnable = KERNELS.filter((k) => unavailableReason(k, engine.traits) === null);

it('runs at least the four portable kernels here', () => {
  expect(runnable.map((k) => k.id)).toEqual(
    expect.arrayContaining(['naive-f32', 'flash-f32', 'flash-f16', 'flash-subgroup']),
  );
});

describe.each(runnable.map((k) => [k.id, k.dtype] as const))('%s', (kernel, dtype) => {
  const cases = [32, 64, 128].flatMap((headDim) =>
    [false, true].flatMap((causal) => SHAPES.map((shape) => ({ ...shape, headDim, causal }))),
  );
  it.each(cases)(
    'B=$batch H=$heads S=$seqLen D=$headDim causal=$causal matches the f64 reference',
    async (shape) => {
      const config = { ...shape, dtype };
      const seed = shape.seqLen * 1000 + shape.headDim + (shape.causal ? 1 : 0);
      const { correctness, output } = await engine.check(config, kernel, { seed });
      expect(correctness.rowsChecked).toBe(shape.batch * shape.heads * shape.seqLen);
      expect(output.every(Number.isFinite)).toBe(true);
      expect(correctness.relL2Err).not.toBeNull();
      expect(correctness.relL2Err ?? 1).toBeLessThanOrEqual(TOLERANCE[dtype]);
      expect(correctness.passed).toBe(true);
    },
  );
});
