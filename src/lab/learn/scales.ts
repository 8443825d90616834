/**
 * d3 colour scales and labels of the Learn view. Built once per problem (so a colour means the
 * same number on every step) and passed into the grid components, which only draw.
 */
import { format, interpolateRdBu, interpolateYlGnBu, lab, scaleDiverging, scaleLinear } from 'd3';

/** Colour and label of a matrix cell. */
export interface CellScale {
  /** Fill colour of a cell holding `value`. */
  fill(value: number): string;
  /** Text colour readable on that fill (dark on light cells, light on dark ones). */
  ink(value: number): string;
  /** Short label drawn inside the cell. */
  label(value: number): string;
  /** Values at the two ends of the scale (for the legend). */
  domain: readonly [number, number];
  /** Name of the quantity, for legends and accessible labels. */
  name: string;
}

const cellLabel = format('.2f');

function inkFor(fill: string): string {
  return lab(fill).l > 58 ? '#111' : '#fff';
}

/**
 * Diverging scale for scores and values: blue below zero, red above, white at zero, symmetric so
 * that equal magnitudes look equally strong.
 */
export function divergingScale(name: string, maxAbs: number): CellScale {
  const m = maxAbs > 0 && Number.isFinite(maxAbs) ? maxAbs : 1;
  // RdBu runs red → blue; reversed so that large (positive) scores are warm.
  const scale = scaleDiverging((t: number) => interpolateRdBu(1 - t)).domain([-m, 0, m]);
  return {
    fill: (v) => scale(v),
    ink: (v) => inkFor(scale(v)),
    label: (v) => cellLabel(v),
    domain: [-m, m],
    name,
  };
}

/** Sequential scale for softmax weights in [0, 1]: pale for 0, deep blue-green for 1. */
export function weightScale(name: string): CellScale {
  const scale = scaleLinear().domain([0, 1]).clamp(true);
  const fill = (v: number): string => interpolateYlGnBu(0.05 + 0.9 * scale(v));
  return {
    fill,
    ink: (v) => inkFor(fill(v)),
    label: (v) => cellLabel(v),
    domain: [0, 1],
    name,
  };
}

/** Largest absolute finite value of some rows (the extent of a diverging scale). */
export function maxAbs(rows: readonly (readonly number[])[]): number {
  let m = 0;
  for (const row of rows) {
    for (const x of row) if (Number.isFinite(x)) m = Math.max(m, Math.abs(x));
  }
  return m;
}

/** Horizontal position of a byte count on the traffic bars, shared by every bar of one chart. */
export function byteAxis(maxBytes: number, width: number): (bytes: number) => number {
  return scaleLinear()
    .domain([0, maxBytes > 0 ? maxBytes : 1])
    .range([0, width]);
}

/** Step counter label, e.g. `step 12 of 56`. */
export const stepLabel = (index: number, count: number): string =>
  `step ${format(',')(index + 1)} of ${format(',')(count)}`;
