/**
 * Number and label formatting for the lab's views. Formatting only: every figure shown here was
 * computed by src/stats (in the stats worker) or by an engine.
 */
import {
  SOFTWARE_WEBGPU_LABEL,
  configLabel,
  formatMs,
  isSoftwareEnv,
  sig,
} from '../../model/index.ts';
import type { ResultFile } from '../../model/index.ts';

export { formatMs, sig };

/** The unit that shows `ms` best, with its factor from ms. */
function unitFor(ms: number): { unit: string; factor: number } {
  const abs = Math.abs(ms);
  if (abs >= 1000) return { unit: 's', factor: 1e-3 };
  if (abs >= 1 || abs === 0) return { unit: 'ms', factor: 1 };
  return { unit: 'µs', factor: 1e3 };
}

/**
 * A CI as `[lo, hi] unit`, both ends in the unit of the upper end, 4 significant digits. Given
 * the sample count `n`, a single sample shows no interval (its zero-width one says nothing).
 */
export function formatCi(ci: readonly [number, number], n?: number): string {
  if (n !== undefined && n < 2) return 'none from 1 sample';
  const { unit, factor } = unitFor(ci[1]);
  return `[${(ci[0] * factor).toPrecision(4)}, ${(ci[1] * factor).toPrecision(4)}] ${unit}`;
}

/** An axis tick in ms: short (3 significant digits, no trailing zeros) with its unit. */
export function formatMsTick(ms: number): string {
  if (ms === 0) return '0';
  const { unit, factor } = unitFor(ms);
  return `${sig(ms * factor, 3)} ${unit}`;
}

/** An axis tick for plain numbers: 2 significant digits, decimals rather than exponents. */
export function formatTick(x: number): string {
  if (x === 0) return '0';
  const abs = Math.abs(x);
  return abs >= 1e-6 && abs < 1e9 ? String(Number(x.toPrecision(2))) : x.toExponential(1);
}

/** A p-value: `< 0.001` for tiny values, 3 significant digits otherwise. */
export function formatP(p: number): string {
  return p < 0.001 ? '< 0.001' : sig(p, 3);
}

/** A fraction as a percentage, e.g. `12.5%`. */
export function formatPercent(fraction: number, digits = 3): string {
  return `${sig(fraction * 100, digits)}%`;
}

/** A wall-clock span for progress, e.g. `0.8 s`, `12 s`, `2 min 5 s`. */
export function formatSeconds(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.round(s)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

/** One line of a run's progress a person reads: phase, counts, time and what is left. */
export function progressLine(p: {
  phase: string;
  samples: number;
  expected: number;
  elapsedMs: number;
  warmup: { launches: number; planned: number; etaMs: number | null } | null;
  budget: { spentMs: number; budgetMs: number } | null;
}): string {
  const elapsed = formatSeconds(p.elapsedMs);
  if (p.phase === 'warmup') {
    if (!p.warmup) return `warm-up · ${elapsed}`;
    const eta = p.warmup.etaMs === null ? '' : ` · about ${formatSeconds(p.warmup.etaMs)} left`;
    return `warm-up · ${p.warmup.launches} / ${p.warmup.planned} launches${eta} · ${elapsed}`;
  }
  if (p.phase === 'timing' && p.budget) {
    return `timing · ${p.samples} samples · ${formatSeconds(p.budget.spentMs)} of ${formatSeconds(p.budget.budgetMs)} budget`;
  }
  if (p.phase === 'timing') {
    const of = p.expected < 100000 ? ` / ${p.expected}` : '';
    return `timing · ${p.samples}${of} samples · ${elapsed}`;
  }
  return `${p.phase === 'checking' ? 'checking correctness' : p.phase} · ${elapsed}`;
}

/** The current time as ISO 8601. */
export function nowIso(): string {
  return new Date().toISOString();
}

/** A coarse local timestamp for tables, e.g. `2025-11-23 22:56`. */
export function formatWhen(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

/**
 * The label a person recognises a result by: its own label, else `backend · kernel`, marked
 * `· software (CPU-emulated) WebGPU` when its adapter was one (its times measure a CPU).
 */
export function resultTitle(result: ResultFile): string {
  const base = result.target.label ?? `${result.target.backend} · ${result.target.kernel}`;
  return isSoftwareEnv(result.env) ? `${base} · ${SOFTWARE_WEBGPU_LABEL}` : base;
}

/** Title plus config, e.g. `cpu · naive — B=1 H=1 S=64 D=32 f32`. */
export function resultLongTitle(result: ResultFile): string {
  return `${resultTitle(result)} — ${configLabel(result.config)}`;
}
