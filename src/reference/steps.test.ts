import { describe, expect, it } from 'vitest';
import { generateSteps, type FlashStep, type StepTrace } from './steps.ts';
import { randomProblem, typedProblem } from './steps-problem.ts';
import { maxAbsDifference, naiveView, referenceOutput } from './steps-naive.ts';

/** The worked example of the Learn view: S = 4, D = 2, scale 1, integer scores. */
const example = {
  q: [
    [1, 0],
    [0, 1],
    [1, 1],
    [2, 0],
  ],
  k: [
    [1, 0],
    [0, 2],
    [3, 0],
    [0, 1],
  ],
  v: [
    [1, 2],
    [3, 4],
    [5, 6],
    [7, 8],
  ],
  scale: 1,
};

function stepAt(trace: StepTrace, index: number): FlashStep {
  const step = trace.steps[index];
  if (!step) throw new Error(`no step ${index} (trace has ${trace.steps.length})`);
  return step;
}

describe('generateSteps: final output equals the naive f64 reference', () => {
  const cases = [
    { seqLen: 16, headDim: 4, causal: false, queryTile: 4, keyTile: 4, seed: 11 },
    { seqLen: 16, headDim: 8, causal: true, queryTile: 4, keyTile: 4, seed: 12 },
    { seqLen: 13, headDim: 5, causal: false, queryTile: 4, keyTile: 5, seed: 13 },
    { seqLen: 13, headDim: 5, causal: true, queryTile: 5, keyTile: 3, seed: 14 },
    { seqLen: 32, headDim: 8, causal: true, queryTile: 8, keyTile: 16, seed: 15 },
    { seqLen: 7, headDim: 3, causal: true, queryTile: 64, keyTile: 1, seed: 16 },
    { seqLen: 1, headDim: 1, causal: false, queryTile: 1, keyTile: 1, seed: 17 },
  ];
  for (const c of cases) {
    it(`S=${c.seqLen} D=${c.headDim} ${c.causal ? 'causal' : 'full'} Br=${c.queryTile} Bc=${c.keyTile}`, () => {
      const problem = randomProblem(c);
      expect(problem.q.some((x) => x !== 0)).toBe(true);
      const trace = generateSteps(problem, c);
      const reference = referenceOutput(problem);
      expect(reference.length).toBe(c.seqLen * c.headDim);
      expect(maxAbsDifference(trace.output, reference)).toBeLessThan(1e-12);
      // The output is only complete at the last step, which says so.
      expect(trace.steps.at(-1)?.kind).toBe('normalise');
      expect(trace.steps.at(-1)?.rowsDone).toBe(c.seqLen);
    });
  }

  it('ends with running max and sum equal to the full-row max and sum of the naive matrix', () => {
    const problem = randomProblem({ seqLen: 12, headDim: 4, causal: true, seed: 21 });
    const trace = generateSteps(problem, { queryTile: 5, keyTile: 3 });
    const naive = naiveView(problem);
    for (const step of trace.steps.filter((s) => s.kind === 'normalise')) {
      step.m.forEach((m, a) => {
        expect(m).toBe(naive.rowMax[step.rows.start + a]);
        expect(Math.abs((step.l[a] ?? 0) - (naive.rowSum[step.rows.start + a] ?? 0))).toBeLessThan(
          1e-12,
        );
      });
    }
  });
});

describe('generateSteps: running max and sum of the worked example', () => {
  const e = Math.exp;
  const trace = generateSteps(typedProblem({ ...example, causal: false }), {
    queryTile: 2,
    keyTile: 2,
  });

  it('orders the steps of a query tile as the kernel runs them', () => {
    expect(trace.steps.slice(0, 10).map((s) => s.kind)).toEqual([
      'load-q',
      'scores',
      'max',
      'sum',
      'output',
      'scores',
      'max',
      'sum',
      'output',
      'normalise',
    ]);
  });

  it('starts each query tile with m = −∞ and l = 0', () => {
    expect(stepAt(trace, 0).m).toEqual([-Infinity, -Infinity]);
    expect(stepAt(trace, 0).l).toEqual([0, 0]);
    expect(stepAt(trace, 0).acc).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });

  it('shows the first score tile, then sets m to its row maxima', () => {
    const scores = stepAt(trace, 1);
    if (scores.kind !== 'scores') throw new Error(`step 1 is ${scores.kind}`);
    // Row 0 is q=[1,0]; keys 0,1 are [1,0] and [0,2].
    expect(scores.tile.scores).toEqual([
      [1, 0],
      [0, 2],
    ]);
    expect(scores.m).toEqual([-Infinity, -Infinity]);
    expect(stepAt(trace, 2).m).toEqual([1, 2]);
    expect(stepAt(trace, 2).l).toEqual([0, 0]);
    const l = stepAt(trace, 3).l;
    expect(l[0]).toBeCloseTo(1 + e(-1), 14);
    expect(l[1]).toBeCloseTo(e(-2) + 1, 14);
  });

  it('raises row 0 to m = 3 on the second tile and rescales its sum by exp(1 − 3)', () => {
    // Second key tile: keys [3,0] and [0,1]; row 0 scores [3, 0], row 1 scores [0, 1].
    expect(stepAt(trace, 6).m).toEqual([3, 2]);
    const l = stepAt(trace, 7).l;
    expect(l[0]).toBeCloseTo((1 + e(-1)) * e(1 - 3) + 1 + e(-3), 14);
    expect(l[1]).toBeCloseTo(e(-2) + 1 + e(-2) + e(-1), 14);
    const sum = stepAt(trace, 7);
    if (sum.kind !== 'sum') throw new Error(`step 7 is ${sum.kind}`);
    expect(sum.tile.alpha[0]).toBeCloseTo(e(-2), 15);
    expect(sum.tile.alpha[1]).toBe(1);
  });

  it('accumulates the unnormalised output Õ = α·Õ + P·V', () => {
    const acc = stepAt(trace, 4).acc[0] ?? [];
    // Row 0 after tile 0: weights [1, e^-1] on value rows [1,2] and [3,4].
    expect(acc[0]).toBeCloseTo(1 + 3 * e(-1), 14);
    expect(acc[1]).toBeCloseTo(2 + 4 * e(-1), 14);
    const after = stepAt(trace, 8).acc[0] ?? [];
    expect(after[0]).toBeCloseTo((1 + 3 * e(-1)) * e(-2) + 5 + 7 * e(-3), 14);
  });

  it('normalises once per query tile and counts the finished rows', () => {
    expect(stepAt(trace, 8).rowsDone).toBe(0);
    expect(stepAt(trace, 9).rowsDone).toBe(2);
    const l0 = stepAt(trace, 9).l[0] ?? 0;
    expect(trace.output[0]).toBeCloseTo(((1 + 3 * e(-1)) * e(-2) + 5 + 7 * e(-3)) / l0, 14);
  });
});

describe('generateSteps: causal masking', () => {
  it('masks keys after the query to −∞ with zero weight and skips tiles past the diagonal', () => {
    const trace = generateSteps(typedProblem({ ...example, causal: true }), {
      queryTile: 2,
      keyTile: 2,
    });
    expect(trace.steps.slice(0, 7).map((s) => s.kind)).toEqual([
      'load-q',
      'scores',
      'max',
      'sum',
      'output',
      'skip',
      'normalise',
    ]);
    const scores = stepAt(trace, 1);
    if (scores.kind !== 'scores') throw new Error(`step 1 is ${scores.kind}`);
    expect(scores.tile.scores).toEqual([
      [1, -Infinity],
      [0, 2],
    ]);
    expect(scores.tile.probs[0]).toEqual([1, 0]);
    expect(stepAt(trace, 3).l[0]).toBe(1);
    const skip = stepAt(trace, 5);
    if (skip.kind !== 'skip') throw new Error(`step 5 is ${skip.kind}`);
    expect(skip.skipped).toEqual({ start: 1, end: 2 });
    expect(skip.text).toMatch(/key tile 1 comes entirely after/);
  });

  it('never visits a key tile whose first key is after the tile’s last query', () => {
    const problem = randomProblem({ seqLen: 19, headDim: 3, causal: true, seed: 31 });
    const trace = generateSteps(problem, { queryTile: 3, keyTile: 4 });
    let masked = 0;
    for (const step of trace.steps) {
      if (step.kind !== 'scores') continue;
      expect(step.tile.cols.start).toBeLessThanOrEqual(step.rows.end - 1);
      step.tile.scores.forEach((row, a) => {
        row.forEach((x, b) => {
          const r = step.rows.start + a;
          const c = step.tile.cols.start + b;
          expect(x === -Infinity).toBe(c > r);
          if (c > r) masked += 1;
        });
      });
    }
    expect(masked).toBeGreaterThan(0);
  });
});

describe('generateSteps: tile sizes and odd sizes', () => {
  const problem = randomProblem({ seqLen: 13, headDim: 4, causal: false, seed: 41 });

  it('gives the same output whatever the tile sizes', () => {
    const base = generateSteps(problem, { queryTile: 4, keyTile: 4 }).output;
    for (const tiles of [
      { queryTile: 1, keyTile: 1 },
      { queryTile: 3, keyTile: 7 },
      { queryTile: 13, keyTile: 13 },
      { queryTile: 64, keyTile: 2 },
    ]) {
      expect(maxAbsDifference(generateSteps(problem, tiles).output, base)).toBeLessThan(1e-13);
    }
  });

  it('covers S = 13 with short last tiles of 1 query row and 3 keys', () => {
    const trace = generateSteps(problem, { queryTile: 4, keyTile: 5 });
    const loads = trace.steps.filter((s) => s.kind === 'load-q');
    expect(loads.map((s) => s.rows)).toEqual([
      { start: 0, end: 4 },
      { start: 4, end: 8 },
      { start: 8, end: 12 },
      { start: 12, end: 13 },
    ]);
    const lastScores = trace.steps.filter((s) => s.kind === 'scores').at(-1);
    if (lastScores?.kind !== 'scores') throw new Error('no scores step');
    expect(lastScores.tile.cols).toEqual({ start: 10, end: 13 });
    expect(lastScores.tile.scores).toHaveLength(1);
    expect(lastScores.tile.scores[0]).toHaveLength(3);
    // 4 query tiles × (load + 3 key tiles × 4 steps + normalise).
    expect(trace.steps).toHaveLength(4 * (1 + 3 * 4 + 1));
    expect(loads.at(-1)?.text).toMatch(/row 12 \(the last tile is short\)/);
  });

  it('indexes the first step of every tile pair for jumping', () => {
    const trace = generateSteps(problem, { queryTile: 4, keyTile: 5 });
    const start = trace.tileStart.get('2,1') ?? -1;
    const step = stepAt(trace, start);
    expect(step.kind).toBe('scores');
    expect(step.queryTile).toBe(2);
    if (step.kind === 'scores') expect(step.tile.keyTile).toBe(1);
    expect(stepAt(trace, trace.tileStart.get('3') ?? -1).kind).toBe('load-q');
  });

  it('numbers the steps in order and explains each in at most two sentences', () => {
    const trace = generateSteps(randomProblem({ seqLen: 9, headDim: 2, causal: true, seed: 42 }), {
      queryTile: 4,
      keyTile: 2,
    });
    trace.steps.forEach((step, i) => {
      expect(step.index).toBe(i);
      expect(step.text.length).toBeGreaterThan(40);
      const sentences = step.text.split(/(?<=\.)\s+(?=[A-Z])/);
      expect(sentences.length, step.text).toBeLessThanOrEqual(2);
    });
  });

  it('refuses tile sizes outside 1..64, naming the field', () => {
    expect(() => generateSteps(problem, { queryTile: 0, keyTile: 4 })).toThrow(
      /queryTile: must be an integer in 1\.\.64 \(got 0\)/,
    );
    expect(() => generateSteps(problem, { queryTile: 4, keyTile: 2.5 })).toThrow(
      /keyTile: must be an integer in 1\.\.64 \(got 2\.5\)/,
    );
  });
});
