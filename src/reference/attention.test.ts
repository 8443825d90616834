import { describe, expect, it } from 'vitest';
import type { AttentionConfig, InputTensors } from '../model/index.ts';
import { referenceAttention, referenceRows } from './attention.ts';
import {
  FULL_CHECK_WORK,
  SAMPLED_ROWS,
  TOLERANCE,
  checkOutput,
  compareRows,
  pickRows,
} from './check.ts';
import { randomInputs } from './inputs.ts';

const cfg = (over: Partial<AttentionConfig> = {}): AttentionConfig => ({
  batch: 2,
  heads: 3,
  seqLen: 9,
  headDim: 8,
  causal: false,
  dtype: 'f32',
  ...over,
});

/** Softmax attention written as matrices with log-sum-exp, independent of the reference's loops. */
function lseAttention(c: AttentionConfig, x: InputTensors): number[] {
  const { seqLen: s, headDim: d } = c;
  const scale = c.scale ?? 1 / Math.sqrt(d);
  const out: number[] = [];
  for (let bh = 0; bh < c.batch * c.heads; bh++) {
    const at = (t: Float32Array, i: number, j: number): number => t[(bh * s + i) * d + j] ?? 0;
    for (let i = 0; i < s; i++) {
      const logits = Array.from({ length: s }, (_, j) =>
        c.causal && j > i
          ? Number.NEGATIVE_INFINITY
          : scale *
            Array.from({ length: d }, (_, x2) => at(x.q, i, x2) * at(x.k, j, x2)).reduce(
              (a, b) => a + b,
            ),
      );
      const m = Math.max(...logits);
      const lse = m + Math.log(logits.reduce((a, l) => a + Math.exp(l - m), 0));
      for (let x2 = 0; x2 < d; x2++)
        out.push(logits.reduce((a, l, j) => a + Math.exp(l - lse) * at(x.v, j, x2), 0));
    }
  }
  return out;
}

describe('f64 reference', () => {
  it.each([false, true])('matches a log-sum-exp formulation (causal=%s)', (causal) => {
    const c = cfg({ causal, scale: 0.3 });
    const x = randomInputs(c, 7, 'normal');
    const ref = referenceAttention(c, x);
    const want = lseAttention(c, x);
    expect(ref.length).toBe(want.length);
    ref.forEach((v, i) => {
      expect(v).toBeCloseTo(want[i] ?? Number.NaN, 12);
    });
  });

  it('returns V itself when S = 1, and ignores future keys when causal', () => {
    const one = cfg({ seqLen: 1 });
    const x = randomInputs(one, 3);
    expect(Array.from(referenceAttention(one, x))).toEqual(Array.from(x.v, Number));
    const c = cfg({ causal: true });
    const y = randomInputs(c, 4);
    const before = referenceRows(c, y, [4]);
    y.k.fill(9, 5 * 8, 9 * 8); // keys 5..8 of (b=0, h=0) lie after row 4
    y.v.fill(-9, 5 * 8, 9 * 8);
    expect(Array.from(referenceRows(c, y, [4]))).toEqual(Array.from(before));
  });

  it('computes only the requested rows, in order', () => {
    const c = cfg();
    const x = randomInputs(c, 5);
    const full = referenceAttention(c, x);
    const some = referenceRows(c, x, [50, 3]);
    expect(Array.from(some)).toEqual([...full.subarray(400, 408), ...full.subarray(24, 32)]);
  });
});

describe('row selection and comparison', () => {
  it('checks every row of small shapes and ≥ 64 seeded rows plus the edges of large ones', () => {
    expect(pickRows(cfg(), 1).length).toBe(2 * 3 * 9);
    const big = cfg({ batch: 8, heads: 16, seqLen: 2048, headDim: 128 });
    expect(8 * 16 * 2048 * 2048 * 128 * 2).toBeGreaterThan(FULL_CHECK_WORK);
    const rows = pickRows(big, 1);
    expect(rows.length).toBe(SAMPLED_ROWS + 3);
    expect(rows[0]).toBe(0);
    expect(rows).toContain(2047);
    expect(rows[rows.length - 1]).toBe(8 * 16 * 2048 - 1);
    expect(Array.from(pickRows(big, 1))).toEqual(Array.from(rows));
    expect(Array.from(pickRows(big, 2))).not.toEqual(Array.from(rows));
  });

  it('passes the exact output and fails a perturbed one with the error figures', () => {
    const c = cfg();
    const x = randomInputs(c, 11);
    const exact = Float32Array.from(referenceAttention(c, x));
    const ok = checkOutput(c, x, exact, 1);
    expect(ok.passed).toBe(true);
    expect(ok.relL2Err).toBeLessThan(1e-7);
    expect(ok.rowsChecked).toBe(54);
    const bad = exact.slice();
    bad[100] = (bad[100] ?? 0) + 0.01;
    const failed = checkOutput(c, x, bad, 1);
    expect(failed.passed).toBe(false);
    expect(failed.maxAbsErr).toBeCloseTo(0.01, 6);
    expect(failed.relL2Err).toBeGreaterThan(TOLERANCE.f32);
    // Element 100 of [B,H,S,D] with D = 8: row 12, column 4 (b=0, h=0 while 12 < S).
    expect(failed.note).toMatch(/^first mismatch at \[b=0, h=\d+, s=\d+, d=4\] \(got /);
    expect(ok.note).toBeUndefined();
  });

  it('reports NaN (the poison) with its position instead of a number', () => {
    const c = cfg();
    const x = randomInputs(c, 12);
    const out = Float32Array.from(referenceAttention(c, x));
    out[3 * 8 + 5] = Number.NaN;
    const rows = pickRows(c, 1);
    const result = compareRows(c, out, rows, referenceRows(c, x, rows), TOLERANCE.f32);
    expect(result).toMatchObject({ passed: false, maxAbsErr: null, relL2Err: null });
    expect(result.note).toContain('[b=0, h=0, s=3, d=5] (got NaN');
  });

  it('generates seeded inputs that are never all zeros and differ per tensor', () => {
    const x = randomInputs(cfg(), 99);
    expect(x.q.some((v) => v !== 0)).toBe(true);
    expect(Array.from(x.q)).not.toEqual(Array.from(x.k));
    expect(Array.from(randomInputs(cfg(), 99).v)).toEqual(Array.from(x.v));
    expect(Math.min(...x.q)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...x.q)).toBeLessThan(1);
  });
});
