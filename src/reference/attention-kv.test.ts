import { describe, expect, it } from 'vitest';
import { validateConfig } from '../model/index.ts';
import type { AttentionConfig, InputTensors } from '../model/index.ts';
import { referenceAttention } from './attention.ts';
import { FULL_CHECK_WORK, SAMPLED_ROWS, checkOutput, pickRows } from './check.ts';
import { randomInputs } from './inputs.ts';

const cfg = (over: Partial<AttentionConfig>): AttentionConfig =>
  validateConfig({
    batch: 2,
    heads: 4,
    seqLen: 3,
    headDim: 8,
    causal: false,
    dtype: 'f32',
    ...over,
  });

/**
 * Independent formulation: copy each KV head to its query heads (the repeat_interleave that GQA
 * avoids), build the S×Skv logits with an explicit bottom-right mask, softmax by log-sum-exp.
 */
function expandedAttention(c: AttentionConfig, x: InputTensors): number[] {
  const { batch, heads, seqLen: s, headDim: d } = c;
  const hkv = c.kvHeads ?? heads;
  const skv = c.kvSeqLen ?? s;
  const scale = c.scale ?? 1 / Math.sqrt(d);
  const out: number[] = [];
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      const g = Math.floor((h * hkv) / heads);
      const q = (i: number, y: number) => x.q[((b * heads + h) * s + i) * d + y] ?? 0;
      const k = (j: number, y: number) => x.k[((b * hkv + g) * skv + j) * d + y] ?? 0;
      const v = (j: number, y: number) => x.v[((b * hkv + g) * skv + j) * d + y] ?? 0;
      for (let i = 0; i < s; i++) {
        const logits = Array.from({ length: skv }, (_, j) => {
          if (c.causal && j > i + skv - s) return Number.NEGATIVE_INFINITY;
          let dot = 0;
          for (let y = 0; y < d; y++) dot += q(i, y) * k(j, y);
          return dot * scale;
        });
        const m = Math.max(...logits);
        if (m === Number.NEGATIVE_INFINITY) {
          for (let y = 0; y < d; y++) out.push(0);
          continue;
        }
        const lse = m + Math.log(logits.reduce((a, l) => a + Math.exp(l - m), 0));
        for (let y = 0; y < d; y++)
          out.push(logits.reduce((a, l, j) => a + Math.exp(l - lse) * v(j, y), 0));
      }
    }
  }
  return out;
}

describe('f64 reference with grouped-query heads and S ≠ Skv', () => {
  const shapes = [
    { seqLen: 1, kvSeqLen: 37, kvHeads: 1 },
    { seqLen: 3, kvSeqLen: 5, kvHeads: 2 },
    { seqLen: 7, kvSeqLen: 4, kvHeads: 4 },
    { seqLen: 5, kvSeqLen: 1, kvHeads: 2 },
  ];
  for (const shape of shapes) {
    for (const causal of [false, true]) {
      it(`matches the expanded-heads formulation (S=${shape.seqLen}, Skv=${shape.kvSeqLen}, Hkv=${shape.kvHeads}, causal=${causal})`, () => {
        const c = cfg({ ...shape, causal, scale: 0.4 });
        const x = randomInputs(c, 11, 'normal');
        expect(x.k.length).toBe(2 * shape.kvHeads * shape.kvSeqLen * 8);
        const ref = referenceAttention(c, x);
        const want = expandedAttention(c, x);
        expect(ref.length).toBe(want.length);
        ref.forEach((v, i) => {
          expect(v).toBeCloseTo(want[i] ?? Number.NaN, 12);
        });
      });
    }
  }

  it('writes 0 for rows that see no key (causal, S > Skv) and a real average for the others', () => {
    const c = cfg({ seqLen: 5, kvSeqLen: 3, causal: true });
    const ref = referenceAttention(c, randomInputs(c, 3));
    // Rows 0 and 1 of (b=0, h=0) see no key; row 2 sees key 0 alone, so it equals V[0].
    expect(Array.from(ref.subarray(0, 16))).toEqual(new Array<number>(16).fill(0));
    const x = randomInputs(c, 3);
    expect(Array.from(ref.subarray(16, 24))).toEqual(Array.from(x.v.subarray(0, 8)));
  });

  it('query heads 0 and 1 read KV head 0 when H=4, Hkv=2: changing KV head 1 leaves them alone', () => {
    const c = cfg({ batch: 1, kvHeads: 2, kvSeqLen: 6 });
    const x = randomInputs(c, 5);
    const before = referenceAttention(c, x);
    const k = x.k.slice();
    for (let e = 6 * 8; e < 12 * 8; e++) k[e] = (k[e] ?? 0) * -3;
    const after = referenceAttention(c, { ...x, k });
    const perHead = 3 * 8;
    expect(Array.from(after.subarray(0, 2 * perHead))).toEqual(
      Array.from(before.subarray(0, 2 * perHead)),
    );
    expect(after[2 * perHead]).not.toBe(before[2 * perHead]);
  });

  it('samples rows once the KV length makes a full check too costly, and passes an exact output', () => {
    const c = validateConfig({
      batch: 1,
      heads: 8,
      kvHeads: 2,
      seqLen: 64,
      kvSeqLen: 65536,
      headDim: 64,
      causal: true,
      dtype: 'f32',
    });
    const rows = pickRows(c, 1);
    expect(8 * 64 * 65536 * 64 * 2).toBeGreaterThan(FULL_CHECK_WORK);
    expect(rows.length).toBe(SAMPLED_ROWS + 3);
    const small = cfg({ seqLen: 1, kvSeqLen: 300, kvHeads: 1, causal: true });
    const x = randomInputs(small, 9);
    const exact = Float32Array.from(referenceAttention(small, x));
    expect(checkOutput(small, x, exact, 9).passed).toBe(true);
    exact[3] = (exact[3] ?? 0) + 0.5;
    expect(checkOutput(small, x, exact, 9).passed).toBe(false);
  });
});
