/**
 * Derived figures of a result (median, bootstrap CI, TFLOP/s, GB/s), computed by src/stats so
 * every engine reports them identically.
 */
import { bootstrapCI, describe } from '../stats/index.ts';
import type { AttentionConfig } from './config.ts';
import { gbps, tflops, type DeviceCeilings } from './cost.ts';
import type { Derived, Env } from './result.ts';

/**
 * The ceilings a result is judged against: peak TFLOP/s, and for bandwidth the measured copy
 * rate when the runner measured one, else the datasheet peak.
 */
export function ceilingsOf(env: Env): DeviceCeilings {
  const gpu = env.gpu;
  if (!gpu) return {};
  return { peakTflops: gpu.peakTflops, peakGbps: gpu.copyGbps ?? gpu.peakGbps };
}

/** Options for `deriveFigures`. */
export interface DeriveOptions {
  /** CI confidence, default 0.95. */
  confidence?: number;
  /** Bootstrap resamples, default 10000. */
  resamples?: number;
  /** Bootstrap seed, default 1. */
  seed?: number;
}

/** Median, its BCa bootstrap CI and throughput; null when there are no samples. */
export function deriveFigures(
  config: AttentionConfig,
  ms: readonly number[],
  options: DeriveOptions = {},
): Derived | null {
  if (ms.length === 0) return null;
  const confidence = options.confidence ?? 0.95;
  const median = describe(ms).median;
  const ci = bootstrapCI(ms, {
    confidence,
    resamples: options.resamples ?? 10_000,
    seed: options.seed ?? 1,
    method: 'bca',
  });
  return {
    medianMs: median,
    ci,
    confidence,
    tflops: median > 0 ? tflops(config, median) : 0,
    gbps: median > 0 ? gbps(config, median) : 0,
  };
}
