import { describe, expect, it } from 'vitest';
import { createRng } from '../stats/index.ts';
import {
  MIN_QUANTA_PER_SAMPLE,
  batchSize,
  coarseQuantumNote,
  detectQuantum,
  planDispatches,
  samplesFromTicks,
  spansFromTicks,
} from './timing.ts';

/**
 * A synthetic timestamp stream: back-to-back samples of k launches of `kernelNs` (± jitter),
 * with gaps between passes, read through a clock that rounds down to `quantumNs` (as browsers
 * quantize), starting at a large boot-time offset.
 */
function tickStream(opts: {
  samples: number;
  k: number;
  kernelNs: number;
  quantumNs: number;
  seed: number;
}): bigint[] {
  const rng = createRng(opts.seed);
  const q = BigInt(opts.quantumNs);
  let t = 987_654_321_012_345n; // ~11 days of uptime in ns: beyond 2^53 ns would lose precision as numbers
  const ticks: bigint[] = [];
  for (let i = 0; i < opts.samples; i++) {
    t += BigInt(Math.round(200 + rng.next() * 3000)); // gap between passes
    const begin = t;
    t += BigInt(Math.round(opts.k * opts.kernelNs * (0.95 + 0.1 * rng.next())));
    ticks.push((begin / q) * q, (t / q) * q);
  }
  return ticks;
}

/** Calibrates k against a synthetic device the way measure.ts does. */
function calibrate(
  kernelNs: number,
  quantumNs: number,
  seed: number,
): { k: number; spans: number[] } {
  let k = 1;
  const all: bigint[] = [];
  for (let round = 0; round < 8; round++) {
    const ticks = tickStream({ samples: 8, k, kernelNs, quantumNs, seed: seed + round });
    all.push(...ticks);
    const plan = planDispatches(k, spansFromTicks(ticks), detectQuantum(all));
    if (plan.settled) return { k, spans: spansFromTicks(ticks) };
    k = plan.k;
  }
  return { k, spans: spansFromTicks(tickStream({ samples: 8, k, kernelNs, quantumNs, seed })) };
}

describe('detectQuantum', () => {
  it('finds a 100 µs browser quantum from a few quantized samples', () => {
    const ticks = tickStream({ samples: 16, k: 40, kernelNs: 7_300, quantumNs: 100_000, seed: 3 });
    expect(detectQuantum(ticks)).toBe(100_000);
  });

  it('finds a power-of-two mask quantum (Dawn masks the low 16 bits)', () => {
    const ticks = tickStream({ samples: 16, k: 100, kernelNs: 9_100, quantumNs: 65_536, seed: 4 });
    expect(detectQuantum(ticks)).toBe(65_536);
  });

  it('reports ~1 ns for unquantized timestamps', () => {
    const ticks = tickStream({ samples: 8, k: 1, kernelNs: 12_345, quantumNs: 1, seed: 5 });
    expect(detectQuantum(ticks)).toBe(1);
  });

  it('returns null when no two ticks differ, and ignores equal neighbours', () => {
    expect(detectQuantum([5n, 5n, 5n, 5n])).toBeNull();
    expect(detectQuantum([])).toBeNull();
    expect(detectQuantum([300n, 300n, 500n, 500n, 900n])).toBe(200);
  });
});

describe('planDispatches', () => {
  it('keeps k = 1 when exact timestamps already give ≥ 100 quanta per sample', () => {
    expect(planDispatches(1, [5_000, 5_100, 4_900], 1)).toEqual({ k: 1, settled: true });
  });

  it('grows k 16-fold while every span is zero (kernel far below the quantum)', () => {
    expect(planDispatches(1, [0, 0, 0], 100_000)).toEqual({ k: 16, settled: false });
    expect(planDispatches(16, [0, 0], null)).toEqual({ k: 256, settled: false });
  });

  it('scales k to reach 100 quanta with 20% headroom', () => {
    // 1 ms spans at k = 4 with a 100 µs quantum: needs 10 ms → k = ceil(4 · 10 · 1.2) = 48.
    expect(planDispatches(4, [1e6, 1e6, 1e6], 100_000)).toEqual({ k: 48, settled: false });
  });

  it('honours a minimum span (the CPU-clock fallback) and the k cap', () => {
    expect(planDispatches(1, [100_000], 1, { minSpanNs: 2e6 })).toEqual({ k: 24, settled: false });
    expect(planDispatches(100, [10], 100_000, { maxK: 200 })).toEqual({ k: 200, settled: false });
    expect(planDispatches(200, [0], 100_000, { maxK: 200 })).toEqual({ k: 200, settled: true });
  });

  it.each([
    [3_000, 100_000],
    [1_000, 100_000],
    [52_000, 65_536],
    [900, 1_000],
  ])(
    'calibrates a %d ns kernel under a %d ns quantum so samples span ≥ 100 quanta',
    (kernelNs, quantumNs) => {
      const { k, spans } = calibrate(kernelNs, quantumNs, kernelNs);
      const sorted = [...spans].sort((a, b) => a - b);
      const median = sorted[sorted.length >> 1] ?? 0;
      expect(median).toBeGreaterThanOrEqual(MIN_QUANTA_PER_SAMPLE * quantumNs);
      // …and not wastefully more than ~2× what is needed.
      expect(k * kernelNs).toBeLessThan(
        2 * 1.25 * MIN_QUANTA_PER_SAMPLE * quantumNs + 2 * kernelNs,
      );
    },
  );
});

describe('samples from ticks', () => {
  it('divides each span by k and converts ns to ms', () => {
    const { ms, invalid } = samplesFromTicks([1_000n, 401_000n, 500_000n, 1_300_000n], 4);
    expect(ms).toEqual([0.1, 0.2]);
    expect(invalid).toBe(0);
  });

  it('drops samples whose end precedes their begin (invalid queries) and counts them', () => {
    const { ms, invalid } = samplesFromTicks([1_000n, 2_000n, 9_000n, 5_000n, 10_000n, 13_000n], 1);
    expect(ms).toEqual([0.001, 0.003]);
    expect(invalid).toBe(1);
    expect(spansFromTicks([1_000n, 2_000n, 9_000n, 5_000n])).toEqual([1_000]);
  });
});

describe('batchSize and notes', () => {
  it('targets ~100 ms of work per batch within [1, 256] and the samples still needed', () => {
    expect(batchSize(0.5, 1000)).toBe(200);
    expect(batchSize(0.01, 1000)).toBe(256);
    expect(batchSize(0.01, 7)).toBe(7);
    expect(batchSize(500, 1000)).toBe(1);
  });

  it('tells browser users how to get exact timestamps', () => {
    const note = coarseQuantumNote(100_000, 48, 'browser');
    expect(note).toContain('100 µs');
    expect(note).toContain('48 launches');
    expect(note).toContain('chrome://flags/#enable-webgpu-developer-features');
  });
});
