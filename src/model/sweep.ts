/**
 * Sweep axes (nvbench-style): which config fields a sweep may vary, how their values are parsed
 * (`64,128,256`, a power-of-two range `64..1024`, `both` for causal, `f32,f16` for dtype), the
 * cartesian product of several axes, and the labels every front door prints.
 */
import { CONFIG_LIMITS, DTYPES, type AttentionConfig, type Dtype } from './config.ts';

/** Numeric config fields a sweep can vary. */
export const NUMERIC_AXES = ['batch', 'heads', 'seqLen', 'headDim', 'kvSeqLen', 'kvHeads'] as const;
/** Every config field a sweep can vary. */
export const SWEEP_AXES = [...NUMERIC_AXES, 'causal', 'dtype'] as const;
/** A numeric sweep axis. */
export type NumericAxis = (typeof NUMERIC_AXES)[number];
/** A sweep axis. */
export type SweepAxis = (typeof SWEEP_AXES)[number];
/** One value of an axis. */
export type AxisValue = number | boolean | Dtype;

/** Short names, as in config labels (`B=1 H=8 S=512 D=64`). */
export const AXIS_SHORT: Record<SweepAxis, string> = {
  batch: 'B',
  heads: 'H',
  seqLen: 'S',
  headDim: 'D',
  kvSeqLen: 'Skv',
  kvHeads: 'Hkv',
  causal: 'causal',
  dtype: 'dtype',
};

/** Axis titles for charts and tables. */
export const AXIS_TITLE: Record<SweepAxis, string> = {
  batch: 'batch B',
  heads: 'heads H',
  seqLen: 'sequence length S',
  headDim: 'head dim D',
  kvSeqLen: 'key/value length Skv',
  kvHeads: 'key/value heads Hkv',
  causal: 'causal mask',
  dtype: 'element type',
};

/** Most values one axis may have. */
export const MAX_AXIS_VALUES = 16;

/** An axis with its values, in sweep order. */
export interface AxisSpec {
  /** The config field. */
  axis: SweepAxis;
  /** Its values. */
  values: AxisValue[];
}

/** A parse outcome: values, or an error that names the axis and what it allows. */
export type AxisParse = { ok: true; values: AxisValue[] } | { ok: false; error: string };

/** Whether `name` is a sweep axis (accepts the short names B, H, S, D, Skv, Hkv too). */
export function toSweepAxis(name: string): SweepAxis | null {
  const exact = SWEEP_AXES.find((a) => a === name);
  if (exact) return exact;
  return SWEEP_AXES.find((a) => AXIS_SHORT[a] === name) ?? null;
}

/** Parses an axis' values from text. */
export function parseAxisValues(axis: SweepAxis, text: string): AxisParse {
  const t = text.trim();
  if (axis === 'causal') {
    const map: Record<string, boolean[]> = {
      both: [false, true],
      true: [true],
      false: [false],
      'false,true': [false, true],
      'true,false': [false, true],
    };
    const values = map[t.replaceAll(' ', '')];
    return values
      ? { ok: true, values }
      : { ok: false, error: `causal: expected both, true or false, got "${text}"` };
  }
  if (axis === 'dtype') {
    const parts = t.split(',').map((p) => p.trim());
    const bad = parts.find((p) => !DTYPES.some((d) => d === p));
    if (t === '' || bad !== undefined) {
      return { ok: false, error: `dtype: expected a list of ${DTYPES.join(', ')}, got "${text}"` };
    }
    return { ok: true, values: DTYPES.filter((d) => parts.includes(d)) };
  }
  const { min, max } = CONFIG_LIMITS[axis];
  const allowed = `a list like 64,128,256 or a power-of-two range like 64..1024, each an integer in ${min}..${max}, at most ${MAX_AXIS_VALUES} values`;
  const range = /^(\d+)\s*\.\.\s*(\d+)$/.exec(t);
  let values: number[];
  if (range) {
    const lo = Number(range[1]);
    const hi = Number(range[2]);
    if (lo < 1 || hi < lo) {
      return {
        ok: false,
        error: `${axis}: range must be LO..HI with 1 ≤ LO ≤ HI; expected ${allowed}`,
      };
    }
    values = [];
    for (let s = lo; s <= hi && values.length <= MAX_AXIS_VALUES; s *= 2) values.push(s);
  } else {
    values =
      t === '' ? [] : t.split(',').map((p) => (/^\s*\d+\s*$/.test(p) ? Number(p) : Number.NaN));
  }
  if (values.length === 0) return { ok: false, error: `${axis}: missing; expected ${allowed}` };
  const bad = values.find((s) => !Number.isInteger(s) || s < min || s > max);
  if (bad !== undefined) {
    return {
      ok: false,
      error: `${axis}: ${Number.isNaN(bad) ? 'a value' : String(bad)} is not allowed; expected ${allowed}`,
    };
  }
  if (values.length > MAX_AXIS_VALUES) {
    return { ok: false, error: `${axis}: ${values.length} values; expected ${allowed}` };
  }
  return { ok: true, values: [...new Set(values)].sort((a, b) => a - b) };
}

/** One point of a sweep: a value for each swept axis. */
export type SweepPoint = Partial<Record<SweepAxis, AxisValue>>;

/** The cartesian product of the axes, the first axis outermost. */
export function sweepPoints(axes: readonly AxisSpec[]): SweepPoint[] {
  let points: SweepPoint[] = [{}];
  for (const { axis, values } of axes) {
    points = points.flatMap((p) => values.map((v) => ({ ...p, [axis]: v })));
  }
  return points;
}

/** The base config with a point's values applied (not validated: kvHeads must still divide H). */
export function applyPoint(base: AttentionConfig, point: SweepPoint): AttentionConfig {
  return { ...base, ...point } as AttentionConfig;
}

/** `S=64 causal dtype=f16`-style label of one axis value. */
export function axisValueLabel(axis: SweepAxis, value: AxisValue): string {
  if (axis === 'causal') return value === true ? 'causal' : 'non-causal';
  return `${AXIS_SHORT[axis]}=${String(value)}`;
}

/** Label of a point, axes in the given order. */
export function pointLabel(point: SweepPoint, axes: readonly SweepAxis[]): string {
  return axes
    .flatMap((a) => (point[a] === undefined ? [] : [axisValueLabel(a, point[a])]))
    .join(' ');
}
