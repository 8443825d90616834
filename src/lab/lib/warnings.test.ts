/** Warnings read off a result file: each appears exactly when its condition holds. */
import { describe, expect, it } from 'vitest';
import { readResult } from '../../model/index.ts';
import { exampleResult } from '../../model/example.ts';
import { peakFraction, resultWarnings } from './warnings.ts';

const ms = [0.52, 0.5, 0.51, 0.49];
const derived = {
  medianMs: 0.505,
  ci: [0.49, 0.52] as [number, number],
  confidence: 0.95,
  tflops: 120,
  gbps: 900,
};

describe('resultWarnings', () => {
  it('flags coarse timestamps when a sample spans fewer than 100 quanta', () => {
    const coarse = readResult(
      exampleResult(ms, {
        derived,
        timing: {
          ...exampleResult(ms).timing,
          method: 'timestamp-query',
          quantumMs: 0.1,
          dispatchesPerSample: 4,
        },
      }),
    );
    // 0.505 ms × 4 launches / 0.1 ms = 20 quanta.
    expect(resultWarnings(coarse).map((w) => w.detail)).toEqual([
      'a sample spans only 20 timestamp quanta of 100.0 µs (want ≥ 100); see Environment for exact timestamps',
    ]);
    const fine = readResult(
      exampleResult(ms, {
        derived,
        timing: {
          ...exampleResult(ms).timing,
          method: 'timestamp-query',
          quantumMs: 0.001,
          dispatchesPerSample: 1,
        },
      }),
    );
    expect(resultWarnings(fine)).toEqual([]);
  });

  it('counts throttled samples and flags CPU-clock timing, OOM risk and partial runs', () => {
    const r = readResult(
      exampleResult(ms, {
        samples: { ms, throttled: [false, true, true, false], partial: true },
        status: 'cancelled',
        memory: { ...exampleResult(ms).memory, oomRisk: true },
      }),
    );
    expect(resultWarnings(r).map((w) => w.tag)).toEqual([
      'CPU clock',
      '2 throttled',
      'OOM risk',
      'partial',
    ]);
  });
});

describe('peakFraction', () => {
  const prefill = {
    batch: 1,
    heads: 2,
    seqLen: 4096,
    headDim: 64,
    causal: false,
    dtype: 'f32' as const,
  };
  const decode = { ...prefill, seqLen: 1, kvSeqLen: 8192, kvHeads: 1 };

  it('divides achieved TFLOP/s by the GPU peak for a compute-bound problem', () => {
    const r = readResult(
      exampleResult(ms, {
        config: prefill,
        derived,
        env: { gpu: { name: 'H100', peakTflops: 800, peakGbps: 3350 } },
      }),
    );
    expect(peakFraction(r)).toBe(0.15);
    expect(peakFraction(readResult(exampleResult(ms, { config: prefill, derived })))).toBeNull();
  });

  it('divides GB/s by the measured copy ceiling (else the datasheet bandwidth) for decode', () => {
    const gpu = { name: 'H100', peakTflops: 800, peakGbps: 3350 };
    const copy = readResult(
      exampleResult(ms, { config: decode, derived, env: { gpu: { ...gpu, copyGbps: 3000 } } }),
    );
    expect(peakFraction(copy)).toBe(0.3);
    const datasheet = readResult(exampleResult(ms, { config: decode, derived, env: { gpu } }));
    expect(peakFraction(datasheet)).toBeCloseTo(900 / 3350, 12);
  });
});
