/**
 * The measuring loop: warmup, calibration of k (launches per sample) from the timestamp
 * quantum, then batches of samples until the stop rule says enough. Produces raw samples only;
 * src/stats judges them.
 */
import { maxSamples, shouldStop } from '../model/index.ts';
import type { StopReason, StopRule } from '../model/index.ts';
import type { Launcher } from './buffers.ts';
import type { DeviceWatch } from './device.ts';
import { TimestampTimer, clockResolutionMs, runUntimed, timeWithCpuClock } from './sampler.ts';
import {
  COARSE_QUANTUM_NS,
  batchSize,
  coarseQuantumNote,
  detectQuantum,
  planDispatches,
  samplesFromTicks,
  spansFromTicks,
} from './timing.ts';

/** Default warmup when the caller gives none: at least this many launches … */
export const DEFAULT_WARMUP_LAUNCHES = 5;
/** … and at least this much wall time (GPU clocks ramp up). */
export const DEFAULT_WARMUP_MS = 200;
/** Samples per calibration round. */
const CALIBRATION_SAMPLES = 8;
/** Most calibration rounds before k is taken as it is. */
const CALIBRATION_ROUNDS = 8;
/** CPU-clock samples span at least this long, so submit latency is a small part. */
const CPU_MIN_SPAN_MS = 2;
/**
 * Longest warm-up or calibration submission, ms (at least one launch): the signal is checked
 * between submissions, so Cancel waits for at most this or one launch.
 */
const SUBMIT_MS = 50;
/** Most warm-up launches of the time-based default. */
const MAX_DEFAULT_WARMUP = 4096;

/** Warm-up progress: launches done and planned, and the time left (null: not known yet). */
export interface WarmupProgress {
  launches: number;
  planned: number;
  etaMs: number | null;
}

/** What the measuring loop needs. */
export interface MeasureOptions {
  /** The device. */
  device: GPUDevice;
  /** Encodes the launches. */
  launcher: Launcher;
  /** Device loss / error watcher, checked after each batch. */
  watch: DeviceWatch;
  /** Use timestamp queries (else the CPU clock). */
  timestamps: boolean;
  /** When to stop. */
  stop: StopRule;
  /** Warmup launches; undefined: time-based default. */
  warmup: number | undefined;
  /** Where the engine runs (for the note on coarse timestamps). */
  runtime: 'browser' | 'dawn';
  /** Cancels: the loop ends after the current batch. */
  signal: AbortSignal | undefined;
  /** Clock in ms. */
  now: () => number;
  /** Phase changes. */
  onPhase: (phase: 'warmup' | 'timing') => void;
  /** New samples (ms per launch) after each batch. */
  onSamples: (fresh: number[]) => void;
  /** Warm-up progress after each warm-up submission. */
  onWarmup?: ((progress: WarmupProgress) => void) | undefined;
}

/** What the loop measured. */
export interface Measurement {
  /** Per-launch times in ms. */
  ms: number[];
  /** Timing method used. */
  method: 'timestamp-query' | 'cpu-clock';
  /** Timestamp quantum (or clock resolution) in ms; null when unknown. */
  quantumMs: number | null;
  /** Launches per sample. */
  dispatchesPerSample: number;
  /** Launches before the first kept sample (warmup and calibration). */
  warmupLaunches: number;
  /** Notes for the result (precision, dropped samples). */
  notes: string[];
  /** Why it stopped; `cancelled` when the signal fired. */
  stopReason: StopReason | 'cancelled';
}

/**
 * What is left of the warm-up after `launches` launches in `elapsedMs` at `perLaunchMs` each:
 * a fixed count, or the default (at least DEFAULT_WARMUP_LAUNCHES and DEFAULT_WARMUP_MS).
 */
export function warmupLeft(
  warmup: number | undefined,
  launches: number,
  elapsedMs: number,
  perLaunchMs: number,
): WarmupProgress {
  if (warmup !== undefined) {
    const left = Math.max(0, warmup - launches);
    return { launches, planned: warmup, etaMs: launches > 0 ? left * perLaunchMs : null };
  }
  if (launches === 0) return { launches, planned: DEFAULT_WARMUP_LAUNCHES, etaMs: null };
  const byCount = Math.max(0, DEFAULT_WARMUP_LAUNCHES - launches);
  const byTime =
    perLaunchMs > 0 ? Math.ceil(Math.max(0, DEFAULT_WARMUP_MS - elapsedMs) / perLaunchMs) : 0;
  const left = Math.min(Math.max(byCount, byTime), MAX_DEFAULT_WARMUP - launches);
  return { launches, planned: launches + left, etaMs: left * perLaunchMs };
}

/** Launches in the next warm-up submission: doubling, but never much over SUBMIT_MS. */
export function nextChunk(previous: number, perLaunchMs: number, left: number): number {
  const byTime = perLaunchMs > 0 ? Math.floor(SUBMIT_MS / perLaunchMs) : 256;
  return Math.max(1, Math.min(previous * 2, 256, byTime, left));
}

async function warmUp(o: MeasureOptions): Promise<{ launches: number; perLaunchMs: number }> {
  const start = o.now();
  let launches = 0;
  let perLaunchMs = 0;
  let chunk = 1;
  let left = warmupLeft(o.warmup, 0, 0, 0);
  o.onWarmup?.(left);
  // One submission at a time, the signal checked between them: Cancel never waits for the lot.
  while (left.planned > launches && !o.signal?.aborted) {
    const t = o.now();
    await runUntimed(o.device, o.launcher, chunk);
    perLaunchMs = (o.now() - t) / chunk;
    launches += chunk;
    left = warmupLeft(o.warmup, launches, o.now() - start, perLaunchMs);
    o.onWarmup?.(left);
    chunk = nextChunk(chunk, perLaunchMs, left.planned - launches);
  }
  return { launches, perLaunchMs };
}

/** Warmup, calibration and sampling until the stop rule is met or the signal fires. */
export async function measure(o: MeasureOptions): Promise<Measurement> {
  o.onPhase('warmup');
  const notes: string[] = [];
  const warm = await warmUp(o);
  let warmupLaunches = warm.launches;
  let k = 1;
  let quantumNs: number | null = null;
  let spanMs = warm.perLaunchMs;
  const timer = o.timestamps ? new TimestampTimer(o.device) : null;
  try {
    if (timer) {
      const ticks: bigint[] = [];
      for (let round = 0; round < CALIBRATION_ROUNDS && !o.signal?.aborted; round++) {
        // Slow launches: fewer samples per round, so a round (and Cancel) stays short.
        const samples = Math.max(
          2,
          Math.min(CALIBRATION_SAMPLES, Math.floor(SUBMIT_MS / Math.max(spanMs, 1e-3))),
        );
        const batch = await timer.time(o.launcher, samples, k);
        warmupLaunches += samples * k;
        ticks.push(...batch);
        quantumNs = detectQuantum(ticks);
        const spans = spansFromTicks(batch);
        spanMs = spans.reduce((a, b) => a + b, 0) / Math.max(spans.length, 1) / 1e6;
        const plan = planDispatches(k, spans, quantumNs);
        if (plan.settled) break;
        k = plan.k;
      }
      if (quantumNs !== null && quantumNs > COARSE_QUANTUM_NS) {
        notes.push(coarseQuantumNote(quantumNs, k, o.runtime));
      }
    } else {
      const resolution = clockResolutionMs(o.now);
      quantumNs = resolution * 1e6;
      for (let round = 0; round < CALIBRATION_ROUNDS && !o.signal?.aborted; round++) {
        const t = await timeWithCpuClock(o.device, o.launcher, k, o.now);
        warmupLaunches += k;
        spanMs = t;
        const plan = planDispatches(k, [t * 1e6], quantumNs, { minSpanNs: CPU_MIN_SPAN_MS * 1e6 });
        if (plan.settled) break;
        k = plan.k;
      }
      notes.push(
        `no timestamp-query on this adapter: CPU clock (resolution ${resolution.toPrecision(3)} ms) around ${k} launch(es) per sample with onSubmittedWorkDone; includes submit latency — lower precision`,
      );
    }

    o.onPhase('timing');
    const ms: number[] = [];
    let invalid = 0;
    const start = o.now();
    const cap = maxSamples(o.stop);
    let stopReason: Measurement['stopReason'] = 'cancelled';
    while (!o.signal?.aborted) {
      const remaining = o.stop.kind === 'count' ? o.stop.iterations - ms.length : cap - ms.length;
      const n = batchSize(spanMs, remaining);
      let fresh: number[];
      if (timer) {
        const result = samplesFromTicks(await timer.time(o.launcher, n, k), k);
        fresh = result.ms;
        invalid += result.invalid;
      } else {
        fresh = [];
        for (let i = 0; i < n && !o.signal?.aborted; i++)
          fresh.push((await timeWithCpuClock(o.device, o.launcher, k, o.now)) / k);
      }
      o.watch.check('timing');
      if (fresh.length > 0) spanMs = (fresh.reduce((a, b) => a + b, 0) / fresh.length) * k;
      ms.push(...fresh);
      o.onSamples(fresh);
      const reason = shouldStop(o.stop, ms, o.now() - start);
      if (reason !== null) {
        stopReason = reason;
        break;
      }
      if (ms.length >= cap) {
        stopReason = o.stop.kind === 'ci' ? 'ci-gave-up' : 'count';
        break;
      }
    }
    if (invalid > 0)
      notes.push(`${invalid} sample(s) dropped: end timestamp before begin (invalid query)`);
    return {
      ms,
      method: timer ? 'timestamp-query' : 'cpu-clock',
      quantumMs: quantumNs === null ? null : quantumNs / 1e6,
      dispatchesPerSample: k,
      warmupLaunches,
      notes,
      stopReason,
    };
  } finally {
    timer?.destroy();
  }
}
