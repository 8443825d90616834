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

async function warmUp(o: MeasureOptions): Promise<{ launches: number; perLaunchMs: number }> {
  if (o.warmup !== undefined) {
    const start = o.now();
    if (o.warmup > 0) await runUntimed(o.device, o.launcher, o.warmup);
    return { launches: o.warmup, perLaunchMs: o.warmup > 0 ? (o.now() - start) / o.warmup : 0 };
  }
  const start = o.now();
  let launches = 0;
  let chunk = 1;
  let perLaunchMs = 0;
  while (launches < DEFAULT_WARMUP_LAUNCHES || o.now() - start < DEFAULT_WARMUP_MS) {
    const t = o.now();
    await runUntimed(o.device, o.launcher, chunk);
    perLaunchMs = (o.now() - t) / chunk;
    launches += chunk;
    if (o.signal?.aborted || launches >= 4096) break;
    chunk = Math.min(chunk * 2, 256);
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
        const batch = await timer.time(o.launcher, CALIBRATION_SAMPLES, k);
        warmupLaunches += CALIBRATION_SAMPLES * k;
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
        for (let i = 0; i < n; i++)
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
