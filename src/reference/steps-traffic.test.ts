import { describe, expect, it } from 'vitest';
import { attentionBytes, validateConfig } from '../model/index.ts';
import { generateSteps } from './steps.ts';
import { randomProblem } from './steps-problem.ts';
import { REAL_SHAPE, compareTraffic, naiveTraffic, tiledTraffic } from './steps-traffic.ts';

describe('naiveTraffic', () => {
  it('counts Q, K, V and O once and the S×S matrix written twice and read twice (S=4, D=2)', () => {
    const t = naiveTraffic({ seqLen: 4, headDim: 2, causal: false, queryTile: 2, keyTile: 2 });
    // reads: Q,K (pass 1) + S (pass 2) + P and V (pass 3) = 3·8 + 2·16 elements of 4 bytes.
    expect(t.bytesRead).toBe((3 * 8 + 2 * 16) * 4);
    // writes: S (pass 1) + P (pass 2) + O (pass 3).
    expect(t.bytesWritten).toBe((2 * 16 + 8) * 4);
    expect(t.peakStorageBytes).toBe(16 * 4);
    expect(t.storage).toBe('off-chip');
    expect(t.rereadBytes).toBe(0);
  });
});

describe('tiledTraffic', () => {
  it('reads Q once and K, V once per query tile, writes O once (S=10, Br=4, Bc=3)', () => {
    const t = tiledTraffic({ seqLen: 10, headDim: 4, causal: false, queryTile: 4, keyTile: 3 });
    // 3 query tiles, each streams all 10 key rows of K and of V.
    expect(t.bytesRead).toBe((10 * 4 + 3 * 2 * 10 * 4) * 4);
    expect(t.bytesWritten).toBe(10 * 4 * 4);
    expect(t.rereadBytes).toBe(2 * 2 * 10 * 4 * 4);
    // On chip: Q tile 4×4, Õ 4×4, m and l 4 each, K and V tiles 3×4, score tile 4×3.
    expect(t.peakStorageBytes).toBe((16 + 16 + 8 + 24 + 12) * 4);
    expect(t.storage).toBe('on-chip');
  });

  it('with causal masking reads only the key tiles up to the diagonal', () => {
    const t = tiledTraffic({ seqLen: 10, headDim: 4, causal: true, queryTile: 4, keyTile: 3 });
    // Query tile 0 (rows 0–3) needs key tiles 0,1 = 6 rows; tile 1 (rows 4–7) tiles 0–2 = 9 rows;
    // tile 2 (rows 8–9) all 4 tiles = 10 rows.
    expect(t.bytesRead).toBe((10 * 4 + 2 * (6 + 9 + 10) * 4) * 4);
  });

  it('extrapolates to S = 4096, D = 128 with Br = 128, Bc = 64', () => {
    const c = compareTraffic({ ...REAL_SHAPE, causal: false });
    const sd = 4096 * 128;
    expect(c.tiled.bytesRead).toBe((sd + 32 * 2 * sd) * 4);
    expect(c.tiled.bytesWritten).toBe(sd * 4);
    expect(c.naive.bytesWritten).toBe((2 * 4096 * 4096 + sd) * 4);
    expect(c.naive.peakStorageBytes).toBe(64 * 1024 * 1024);
    expect(c.tiled.peakStorageBytes).toBe((2 * 128 * 128 + 2 * 128 + 2 * 64 * 128 + 128 * 64) * 4);
    // The benchmark's minimal bytes for the same shape come from the model's cost formula.
    const config = validateConfig({
      batch: 1,
      heads: 1,
      seqLen: 4096,
      headDim: 128,
      causal: false,
      dtype: 'f32',
    });
    expect(c.minimalBytes).toBe(attentionBytes(config));
    expect(c.flops).toBe(4 * 4096 * 4096 * 128);
    expect(c.keyValueBytes).toBe(4 * 1024 * 1024);
    // Causal counts the unmasked pairs exactly: S·(S+1)/2, not S²/2.
    expect(compareTraffic({ ...REAL_SHAPE, causal: true }).flops).toBe(
      4 * ((4096 * 4097) / 2) * 128,
    );
  });
});

describe('step counters agree with the formulas', () => {
  for (const causal of [false, true]) {
    it(`${causal ? 'causal' : 'full'}: last step totals and peak on-chip bytes`, () => {
      const shape = { seqLen: 23, headDim: 3, causal, queryTile: 5, keyTile: 4 };
      const trace = generateSteps(randomProblem({ ...shape, seed: 51 }), shape);
      const last = trace.steps.at(-1);
      const expected = tiledTraffic(shape);
      expect(last?.traffic.bytesRead).toBe(expected.bytesRead);
      expect(last?.traffic.bytesWritten).toBe(expected.bytesWritten);
      const peak = Math.max(...trace.steps.map((s) => s.traffic.onChipBytes));
      expect(peak).toBe(expected.peakStorageBytes);
      // Counters never go backwards.
      trace.steps.forEach((s, i) => {
        const prev = trace.steps[i - 1];
        if (!prev) return;
        expect(s.traffic.bytesRead).toBeGreaterThanOrEqual(prev.traffic.bytesRead);
        expect(s.traffic.bytesWritten).toBeGreaterThanOrEqual(prev.traffic.bytesWritten);
      });
    });
  }
});
