/**
 * Grouped-query heads and decode (S ≠ Skv) on Dawn (SwiftShader without a GPU): every kernel that
 * supports K/V shapes × S ∈ {1, 3, 77} × Skv ∈ {1, 300, 1000} × Hkv ∈ {1, 2, H} × causal against
 * the f64 reference, on fresh seeded inputs and NaN-poisoned outputs. The split-KV kernels also
 * run with one lane per key (lanes = 1), the path of adapters without `subgroups`.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { KERNELS } from '../../shaders/index.ts';
import { visibleKeys } from '../model/index.ts';
import type { AttentionConfig } from '../model/index.ts';
import { TOLERANCE } from '../reference/check.ts';
import type { AttentionEngine } from './engine.ts';
import { openNodeEngine } from './node/open.ts';
import { unavailableReason } from './registry.ts';

const engine: AttentionEngine = await openNodeEngine();
// The portable lane part (one invocation per key, no subgroup operations).
const oneLane: AttentionEngine = await openNodeEngine({ tiles: { lanes: 1 } });

afterAll(() => {
  engine.destroy();
  oneLane.destroy();
});

const HEADS = 4;
const cases = [1, 3, 77].flatMap((seqLen) =>
  [1, 300, 1000].flatMap((kvSeqLen) =>
    [1, 2, HEADS].flatMap((kvHeads) =>
      [false, true].map((causal) => ({ seqLen, kvSeqLen, kvHeads, causal })),
    ),
  ),
);

const variants = KERNELS.filter(
  (k) => k.kvShapeRefusal === undefined && unavailableReason(k, engine.traits) === null,
).flatMap((k) => [
  { label: k.id, id: k.id, dtype: k.dtype, engine },
  ...(k.scheme === 'split-kv'
    ? [{ label: `${k.id} (lanes=1)`, id: k.id, dtype: k.dtype, engine: oneLane }]
    : []),
]);

it('covers the portable kernels and both lane parts of the decode kernels', () => {
  expect(variants.map((v) => v.label)).toEqual(
    expect.arrayContaining([
      'naive-f32',
      'flash-f32',
      'flash-f16',
      'flash-subgroup',
      'flash-decode-f32',
      'flash-decode-f32 (lanes=1)',
      'flash-decode-f16',
      'flash-decode-f16 (lanes=1)',
    ]),
  );
});

describe.each(variants)('$label', (variant) => {
  it.each(cases)(
    'S=$seqLen Skv=$kvSeqLen Hkv=$kvHeads causal=$causal matches the f64 reference',
    async (shape) => {
      const config: AttentionConfig = {
        // B = 2 puts the batch in the K/V head index; S = 77 keeps B = 1 (SwiftShader's time).
        batch: shape.seqLen === 77 ? 1 : 2,
        heads: HEADS,
        headDim: 32,
        dtype: variant.dtype,
        ...shape,
      };
      const seed = shape.seqLen * 7919 + shape.kvSeqLen * 31 + shape.kvHeads * 2 + +shape.causal;
      const { correctness, output, kernelParams } = await variant.engine.check(config, variant.id, {
        seed,
      });
      if (variant.engine === oneLane) expect(kernelParams.lanesPerKey).toBe(1);
      expect(output.every(Number.isFinite)).toBe(true);
      expect(correctness.relL2Err ?? 1).toBeLessThanOrEqual(TOLERANCE[variant.dtype]);
      expect(correctness.passed).toBe(true);
      // Rows that see no key (causal, S > Skv) are exactly zero, as FlashAttention writes them.
      const d = config.headDim;
      for (let row = 0; row < config.batch * HEADS * shape.seqLen; row++) {
        if (visibleKeys(config, row % shape.seqLen) > 0) continue;
        expect(output.subarray(row * d, (row + 1) * d).every((x) => x === 0)).toBe(true);
      }
    },
  );
});
