import { describe, expect, it } from 'vitest';
import { exampleResult, readResult } from '../model/index.ts';
import { formatRunReport } from './print.ts';

const ms = [0.1, 0.1, 0.1];
const derived = {
  medianMs: 0.1,
  ci: [0.1, 0.1] as [number, number],
  confidence: 0.95,
  tflops: 10.74,
  gbps: 2685.66528,
};
const gpu = { name: 'H100', peakTflops: 989, peakGbps: 3350, copyGbps: 3000 };

describe('the run report leads with the figure of the bound', () => {
  it('decode (memory-bound): GB/s first, with its share of the measured copy ceiling', () => {
    const r = readResult(
      exampleResult(ms, {
        config: {
          batch: 8,
          heads: 32,
          kvHeads: 8,
          seqLen: 1,
          kvSeqLen: 8192,
          headDim: 128,
          causal: true,
          dtype: 'f16',
        },
        derived,
        env: { gpu },
      }),
    );
    expect(formatRunReport(r)).toContain(
      'throughput      2686 GB/s (minimal bytes), 10.74 TFLOP/s — memory-bound, 89.5% of 3000 GB/s',
    );
  });

  it('long prefill (compute-bound): TFLOP/s first, with its share of the peak', () => {
    const r = readResult(
      exampleResult(ms, {
        config: { batch: 1, heads: 32, seqLen: 4096, headDim: 128, causal: false, dtype: 'f16' },
        derived: { ...derived, tflops: 494.5 },
        env: { gpu },
      }),
    );
    expect(formatRunReport(r)).toContain(
      'throughput      494.5 TFLOP/s, 2686 GB/s (minimal bytes) — compute-bound, 50% of 989 TFLOP/s',
    );
  });
});
