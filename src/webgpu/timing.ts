/**
 * Timing decisions that need no GPU, so they can be tested on synthetic tick streams: the
 * timestamp quantum detected from raw ticks, how many launches one sample must span (≥ 100
 * quanta), per-sample times from resolved ticks, and batch sizes.
 */

/** A sample must span at least this many timestamp quanta. */
export const MIN_QUANTA_PER_SAMPLE = 100;
/** Most launches one sample may hold. */
export const MAX_DISPATCHES_PER_SAMPLE = 16_384;
/** Quanta above this (ns) count as coarse: the user is told how to get exact timestamps. */
export const COARSE_QUANTUM_NS = 1_000;

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/**
 * The timestamp quantum in ns: the greatest common divisor of the non-zero differences between
 * consecutive ticks. Quantized timestamps (browsers round to ~100 µs) are all multiples of the
 * quantum, so their differences are too; unquantized ones drive the GCD down to ~1 ns within a
 * few samples. Null when no two ticks differ (nothing to learn yet).
 */
export function detectQuantum(ticks: readonly bigint[]): number | null {
  let g = 0n;
  for (let i = 1; i < ticks.length; i++) {
    const a = ticks[i - 1];
    const b = ticks[i];
    if (a === undefined || b === undefined || a === b) continue;
    g = gcd(g, b - a);
    if (g === 1n) break;
  }
  return g === 0n ? null : Number(g);
}

/** The next dispatch count while calibrating, and whether it is final. */
export interface DispatchPlan {
  /** Launches per sample to use next. */
  k: number;
  /** True when samples of `k` launches already span enough quanta. */
  settled: boolean;
}

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return 0;
  const mid = Math.floor(n / 2);
  return n % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/**
 * Chooses k, the launches per sample, so that one sample spans ≥ `minQuanta` quanta (and at
 * least `minSpanNs`). `durationsNs` are measured spans of samples of `k` launches. When every
 * span was zero the kernel is far below the quantum: k grows 16-fold and is measured again.
 */
export function planDispatches(
  k: number,
  durationsNs: readonly number[],
  quantumNs: number | null,
  options: { minQuanta?: number; minSpanNs?: number; maxK?: number } = {},
): DispatchPlan {
  const maxK = options.maxK ?? MAX_DISPATCHES_PER_SAMPLE;
  const target = Math.max(
    (options.minQuanta ?? MIN_QUANTA_PER_SAMPLE) * (quantumNs ?? 0),
    options.minSpanNs ?? 0,
  );
  const span = medianOf(durationsNs);
  if (span <= 0) {
    const grown = Math.min(maxK, k * 16);
    return { k: grown, settled: grown === k };
  }
  if (span >= target) return { k, settled: true };
  // Aim 20% above the target so one more measurement usually settles it.
  const wanted = Math.min(maxK, Math.ceil(((k * target) / span) * 1.2));
  return { k: wanted, settled: wanted === k };
}

/** Per-launch sample times from resolved ticks [begin0, end0, begin1, end1, …]. */
export function samplesFromTicks(
  ticks: readonly bigint[],
  k: number,
): { ms: number[]; invalid: number } {
  const ms: number[] = [];
  let invalid = 0;
  for (let i = 0; i + 1 < ticks.length; i += 2) {
    const begin = ticks[i] ?? 0n;
    const end = ticks[i + 1] ?? 0n;
    // End before begin means the query is invalid (the spec allows it, e.g. across a GPU
    // power-state change); such a sample is dropped and counted.
    if (end < begin) {
      invalid += 1;
      continue;
    }
    ms.push(Number(end - begin) / 1e6 / k);
  }
  return { ms, invalid };
}

/** Durations in ns of each sample from ticks [begin0, end0, …] (negative ones dropped). */
export function spansFromTicks(ticks: readonly bigint[]): number[] {
  const spans: number[] = [];
  for (let i = 0; i + 1 < ticks.length; i += 2) {
    const d = Number((ticks[i + 1] ?? 0n) - (ticks[i] ?? 0n));
    if (d >= 0) spans.push(d);
  }
  return spans;
}

/** Samples per batch: about `targetMs` of GPU work, at least 1, at most `max` and `remaining`. */
export function batchSize(sampleMs: number, remaining: number, targetMs = 100, max = 256): number {
  const byTime = sampleMs > 0 ? Math.floor(targetMs / sampleMs) : max;
  return Math.max(1, Math.min(max, byTime, Math.max(1, remaining)));
}

/** The note recorded when timestamps are coarse, telling the user how to get exact ones. */
export function coarseQuantumNote(
  quantumNs: number,
  k: number,
  runtime: 'browser' | 'dawn',
): string {
  const q = quantumNs >= 1e6 ? `${quantumNs / 1e6} ms` : `${quantumNs / 1e3} µs`;
  const how =
    runtime === 'browser'
      ? 'for exact timestamps enable chrome://flags/#enable-webgpu-developer-features (Chrome/Edge) and reload'
      : 'for exact timestamps create Dawn with disable-dawn-features=timestamp_quantization (attnlab does so by default)';
  return `GPU timestamps are quantized to ${q}; each sample times ${k} launches so it spans ≥ ${MIN_QUANTA_PER_SAMPLE} quanta — ${how}`;
}
