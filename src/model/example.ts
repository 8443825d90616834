/**
 * A small, valid attnlab/result@1 value — used by tests across the project and by docs as the
 * shape to copy. Samples are given by the caller so no test depends on invented timings.
 */
import type { ResultFileInput } from './result.ts';

/** Builds a valid completed result around the given samples (ms). */
export function exampleResult(
  ms: number[],
  overrides: Partial<ResultFileInput> = {},
): ResultFileInput {
  return {
    schema: 'attnlab/result@1',
    id: 'example-1',
    createdAt: '2026-11-23T12:00:00.000Z',
    tool: { name: 'attnlab', version: '0.1.0' },
    config: { batch: 1, heads: 2, seqLen: 128, headDim: 64, causal: false, dtype: 'f32' },
    target: { backend: 'cpu', kernel: 'cpu-flash-f32', kernelParams: { threads: 2 } },
    env: { host: { hostname: 'example', os: 'linux', cpus: 2 } },
    timing: {
      method: 'cpu-clock',
      quantumMs: null,
      dispatchesPerSample: 1,
      warmup: 3,
      cache: 'warm',
      stopRule: { kind: 'count', iterations: ms.length || 1 },
      notes: [],
    },
    samples: { ms, partial: false },
    clocks: [],
    memory: {
      estimateBytes: 262144,
      peakBytes: null,
      deviceTotalBytes: null,
      usageFraction: null,
      oomRisk: false,
    },
    correctness: {
      reference: 'f64-cpu',
      rowsChecked: 64,
      rowsTotal: 256,
      maxAbsErr: 1e-7,
      relL2Err: 2e-7,
      tolerance: 1e-5,
      passed: true,
    },
    derived: null,
    status: 'completed',
    ...overrides,
  };
}
