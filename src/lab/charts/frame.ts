/**
 * What every chart shares: its frame (size and margins), axes with grid lines and titles, and a
 * legend. Charts receive ready scales and data; these helpers only draw.
 */
import { axisBottom, axisLeft, select, type AxisScale, type Selection } from 'd3';
import type { Palette } from './palette.ts';

/** The size a chart is drawn at, px. */
export interface ChartSize {
  width: number;
  height: number;
}

/** Chart size and margins, px. */
export interface Frame {
  width: number;
  height: number;
  margin: { top: number; right: number; bottom: number; left: number };
}

/** A default frame of the given size. */
export function frame(width: number, height: number, margin: Partial<Frame['margin']> = {}): Frame {
  return { width, height, margin: { top: 18, right: 30, bottom: 44, left: 60, ...margin } };
}

/** The plotting area's x and y pixel ranges. */
export function plotRange(f: Frame): { x: [number, number]; y: [number, number] } {
  return {
    x: [f.margin.left, f.width - f.margin.right],
    y: [f.height - f.margin.bottom, f.margin.top],
  };
}

/**
 * A time axis' extent over `xs`, ending at the series' far-out cut (the largest `cutMs`) when that
 * lies inside, so the bulk stays readable; `beyond` counts the samples past the end.
 */
export function cutExtent(
  xs: readonly number[],
  series: readonly { cutMs: number; beyond: number }[],
): { lo: number; hi: number; beyond: number } {
  const lo = xs.length > 0 ? Math.min(...xs) : 0;
  const max = xs.length > 0 ? Math.max(...xs) : 1;
  const cut = Math.max(...series.map((s) => s.cutMs));
  const hi = cut > lo && cut < max ? cut : max;
  return { lo, hi, beyond: hi < max ? series.reduce((n, s) => n + s.beyond, 0) : 0 };
}

/** An SVG root selection. */
export type Svg = Selection<SVGSVGElement, unknown, null, undefined>;

/** A group selection inside a chart. */
export type Group = Selection<SVGGElement, unknown, null, undefined>;

/** Clears the SVG and sets its size, font and accessible name. */
export function resetSvg(node: SVGSVGElement, f: Frame, palette: Palette, label: string): Svg {
  const svg = select(node);
  svg.selectAll('*').remove();
  svg
    .attr('xmlns', 'http://www.w3.org/2000/svg')
    .attr('viewBox', `0 0 ${f.width} ${f.height}`)
    .attr('width', f.width)
    .attr('height', f.height)
    .attr('role', 'img')
    .attr('aria-label', label)
    .attr('font-family', 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif')
    .attr('font-size', 11)
    .attr('fill', palette.fg);
  svg.append('title').text(label);
  return svg;
}

/** Axis options. */
export interface AxisOptions {
  /** Axis title. */
  title: string;
  /** Tick count hint. */
  ticks?: number;
  /** Tick label formatter. */
  format?: (value: number) => string;
}

/**
 * Tick values of a scale; on log scales with many ticks, only those with leading digit 1, 2 or 5
 * (d3 would label every integer multiple of each power of ten).
 */
export function tickValues(scale: AxisScale<number>, count: number): number[] {
  const ticks = (scale as { ticks?: (n: number) => number[] }).ticks?.(count) ?? [];
  if (!('base' in scale) || ticks.length <= 8) return ticks;
  const kept = ticks.filter((v) => {
    const lead = v / 10 ** Math.floor(Math.log10(v) + 1e-9);
    return [1, 2, 5].some((k) => Math.abs(lead - k) < 1e-6);
  });
  return kept.length >= 2 ? kept : ticks;
}

/** Clips later drawing to the plotting area; returns the `url(#…)` to use as clip-path. */
export function clipToPlot(svg: Svg, f: Frame, id: string): string {
  const { x, y } = plotRange(f);
  svg
    .append('clipPath')
    .attr('id', id)
    .append('rect')
    .attr('x', x[0])
    .attr('y', y[1])
    .attr('width', x[1] - x[0])
    .attr('height', y[0] - y[1]);
  return `url(#${id})`;
}

/**
 * Ticks whose labels differ: on a very narrow domain (one sample) several ticks round to the
 * same label, and an axis reading `1.20 ms 1.20 ms 1.20 ms` helps nobody.
 */
export function distinctLabels(
  ticks: readonly number[],
  format: ((value: number) => string) | undefined,
): number[] {
  const seen = new Set<string>();
  return ticks.filter((t) => {
    const label = format ? format(t) : String(t);
    if (seen.has(label)) return false;
    seen.add(label);
    return true;
  });
}

/** Draws x (bottom) and y (left) axes with horizontal grid lines and titles. */
export function drawAxes(
  svg: Svg,
  f: Frame,
  palette: Palette,
  x: AxisScale<number>,
  y: AxisScale<number>,
  xOpt: AxisOptions,
  yOpt: AxisOptions,
): void {
  const { x: xr, y: yr } = plotRange(f);
  const grid = svg.append('g').attr('class', 'grid').attr('stroke', palette.grid);
  const yTicks = distinctLabels(tickValues(y, yOpt.ticks ?? 5), yOpt.format);
  const yAxis = axisLeft(y).tickValues(yTicks);
  // At most one x label per ~70 px: a narrow chart (the result detail's histogram) otherwise
  // runs its time labels into each other.
  const xCount = Math.max(2, Math.min(xOpt.ticks ?? 6, Math.floor((xr[1] - xr[0]) / 70)));
  const xAxis = axisBottom(x).tickValues(distinctLabels(tickValues(x, xCount), xOpt.format));
  if (yOpt.format) yAxis.tickFormat((d) => yOpt.format?.(d) ?? String(d));
  if (xOpt.format) xAxis.tickFormat((d) => xOpt.format?.(d) ?? String(d));
  for (const t of yTicks) {
    const py = y(t);
    if (py === undefined) continue;
    grid.append('line').attr('x1', xr[0]).attr('x2', xr[1]).attr('y1', py).attr('y2', py);
  }
  const gx = svg
    .append('g')
    .attr('class', 'x-axis')
    .attr('transform', `translate(0,${yr[0]})`)
    .call(xAxis);
  const gy = svg
    .append('g')
    .attr('class', 'y-axis')
    .attr('transform', `translate(${xr[0]},0)`)
    .call(yAxis);
  for (const g of [gx, gy]) {
    g.attr('font-family', null).attr('font-size', null);
    g.selectAll('path, line').attr('stroke', palette.muted);
    g.selectAll('text').attr('fill', palette.muted);
  }
  svg
    .append('text')
    .attr('class', 'x-title')
    .attr('x', (xr[0] + xr[1]) / 2)
    .attr('y', f.height - 6)
    .attr('text-anchor', 'middle')
    .text(xOpt.title);
  svg
    .append('text')
    .attr('class', 'y-title')
    // At x = 11 the rotated title clears a 7-character tick label ("1.25 ms") at the 11 px font.
    .attr('transform', `translate(11,${(yr[0] + yr[1]) / 2}) rotate(-90)`)
    .attr('text-anchor', 'middle')
    .text(yOpt.title);
}

/** A legend entry. */
export interface LegendItem {
  label: string;
  color: string;
}

/** Draws a legend in the top-left corner of the plotting area. */
export function drawLegend(svg: Svg, f: Frame, items: readonly LegendItem[]): void {
  const g = svg
    .append('g')
    .attr('class', 'legend')
    .attr('transform', `translate(${f.margin.left + 8},${f.margin.top + 4})`);
  items.forEach((item, i) => {
    const row = g.append('g').attr('transform', `translate(0,${i * 16})`);
    row
      .append('rect')
      .attr('width', 10)
      .attr('height', 10)
      .attr('y', 0)
      .attr('rx', 2)
      .attr('fill', item.color);
    row.append('text').attr('x', 16).attr('y', 9).text(item.label);
  });
}

/** Rounds a number for attributes (keeps SVGs small and snapshots stable). */
export function r2(v: number): number {
  return Math.round(v * 100) / 100;
}
