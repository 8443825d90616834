import { describe, expect, it } from 'vitest';
import { problemRows, randomProblem, typedProblem, validateTiles } from './steps-problem.ts';

describe('randomProblem', () => {
  it('is reproducible from its seed and differs between seeds', () => {
    const spec = { seqLen: 8, headDim: 4, causal: false, seed: 5 };
    const a = randomProblem(spec);
    const b = randomProblem(spec);
    const c = randomProblem({ ...spec, seed: 6 });
    expect(Array.from(a.q)).toEqual(Array.from(b.q));
    expect(Array.from(a.q)).not.toEqual(Array.from(c.q));
    expect(Array.from(a.k)).not.toEqual(Array.from(a.q));
  });

  it('draws two-decimal f32 values in [-2, 2), not all zero, and scale 1/√D', () => {
    const p = randomProblem({ seqLen: 32, headDim: 8, causal: true, seed: 9 });
    for (const x of [...p.q, ...p.k, ...p.v]) {
      expect(x).toBeGreaterThanOrEqual(-2);
      expect(x).toBeLessThanOrEqual(2);
      expect(Math.fround(x)).toBe(x);
      expect(Math.abs(x * 100 - Math.round(x * 100))).toBeLessThan(1e-4);
    }
    expect(new Set(p.v).size).toBeGreaterThan(50);
    expect(p.scale).toBe(1 / Math.sqrt(8));
  });

  it('names the field and range of bad sizes', () => {
    expect(() => randomProblem({ seqLen: 0, headDim: 4, causal: false, seed: 1 })).toThrow(
      /seqLen: must be an integer in 1\.\.64 \(got 0\)/,
    );
    expect(() => randomProblem({ seqLen: 8, headDim: 17, causal: false, seed: 1 })).toThrow(
      /headDim: must be an integer in 1\.\.16 \(got 17\)/,
    );
    expect(() =>
      randomProblem({ seqLen: 8, headDim: 4, causal: false, seed: 1, scale: -1 }),
    ).toThrow(/scale: must be a finite number > 0 \(got -1\)/);
    expect(() => randomProblem({ seqLen: 8, headDim: 4, causal: false, seed: 0.5 })).toThrow(
      /seed: must be a safe integer/,
    );
  });
});

describe('typedProblem', () => {
  const rows = [
    [1, 2],
    [3, 4],
    [5, 6],
  ];

  it('takes S and D from Q and keeps the values (rounded to f32)', () => {
    const p = typedProblem({
      q: rows,
      k: rows,
      v: [
        [0.1, 0.2],
        [0.3, 0.4],
        [0.5, 0.6],
      ],
      causal: true,
    });
    expect(p.seqLen).toBe(3);
    expect(p.headDim).toBe(2);
    expect(p.scale).toBe(1 / Math.sqrt(2));
    expect(problemRows(p, 'q')).toEqual(rows);
    expect(problemRows(p, 'v')[0]).toEqual([Math.fround(0.1), Math.fround(0.2)]);
  });

  it('names the matrix and row that does not match Q', () => {
    expect(() => typedProblem({ q: rows, k: rows.slice(0, 2), v: rows, causal: false })).toThrow(
      /K: has 2 rows, expected S = 3/,
    );
    expect(() =>
      typedProblem({ q: rows, k: rows, v: [[1, 2], [3], [5, 6]], causal: false }),
    ).toThrow(/V: row 2 has 1 values, expected D = 2/);
    expect(() => typedProblem({ q: [], k: [], v: [], causal: false })).toThrow(
      /Q rows \(S\): must be an integer in 1\.\.64 \(got 0\)/,
    );
  });
});

describe('validateTiles', () => {
  it('accepts 1..64 and refuses the rest by name', () => {
    expect(validateTiles({ queryTile: 1, keyTile: 64 })).toEqual({ queryTile: 1, keyTile: 64 });
    expect(() => validateTiles({ queryTile: 65, keyTile: 4 })).toThrow(/queryTile: .*1\.\.64/);
  });
});
