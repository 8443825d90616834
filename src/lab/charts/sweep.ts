/**
 * The Sweep view's log-log chart: time (or TFLOP/s) against S (or D) per target, with the CI of
 * each point as a band. Points and CIs come from result files; scales are built here.
 */
import { area, line, scaleLog, type ScaleLogarithmic } from 'd3';
import { AXIS_TITLE, type NumericAxis } from '../../model/index.ts';
import { formatMsTick, formatTick } from '../lib/format.ts';
import { drawAxes, drawLegend, frame, plotRange, r2, resetSvg, type Frame } from './frame.ts';
import { seriesColor, type Palette } from './palette.ts';

/** One point: value with its CI at a size. */
export interface LinePoint {
  size: number;
  value: number;
  lo: number;
  hi: number;
}

/** One target's line. */
export interface LineSeries {
  label: string;
  points: readonly LinePoint[];
}

/** What the sweep chart draws. */
export interface SweepChartModel {
  frame: Frame;
  palette: Palette;
  x: ScaleLogarithmic<number, number>;
  y: ScaleLogarithmic<number, number>;
  series: readonly LineSeries[];
  /** Axis titles. */
  xTitle: string;
  yTitle: string;
  /** Formats y values. */
  yFormat: (v: number) => string;
  label: string;
}

/** Builds log scales spanning every point and band. */
export function sweepChartModel(
  series: readonly LineSeries[],
  metric: 'time' | 'tflops',
  vary: NumericAxis,
  size: { width: number; height: number },
  palette: Palette,
  label: string,
): SweepChartModel {
  const f = frame(size.width, size.height, { left: 70 });
  const { x: xr, y: yr } = plotRange(f);
  const pts = series.flatMap((s) => s.points);
  const sizes = pts.map((p) => p.size);
  const ys = pts.flatMap((p) => [p.lo, p.hi, p.value]).filter((v) => v > 0);
  const xlo = sizes.length > 0 ? Math.min(...sizes) : 1;
  const xhi = sizes.length > 0 ? Math.max(...sizes) : 2;
  const ylo = ys.length > 0 ? Math.min(...ys) : 1;
  const yhi = ys.length > 0 ? Math.max(...ys) : 10;
  return {
    frame: f,
    palette,
    x: scaleLog()
      .base(2)
      .domain(xlo === xhi ? [xlo / 1.5, xhi * 1.5] : [xlo, xhi])
      .range(xr),
    y: scaleLog()
      .domain(ylo === yhi ? [ylo / 1.5, yhi * 1.5] : [ylo / 1.15, yhi * 1.15])
      .range(yr),
    series,
    xTitle: AXIS_TITLE[vary],
    yTitle: metric === 'time' ? 'median time per launch' : 'TFLOP/s (at the median)',
    yFormat: metric === 'time' ? formatMsTick : formatTick,
    label,
  };
}

/** Draws lines, CI bands and points. */
export function drawSweepChart(node: SVGSVGElement, m: SweepChartModel): void {
  const { frame: f, palette: p, x, y } = m;
  const svg = resetSvg(node, f, p, m.label);
  const sizes = [...new Set(m.series.flatMap((s) => s.points.map((pt) => pt.size)))].sort(
    (a, b) => a - b,
  );
  drawAxes(
    svg,
    f,
    p,
    x,
    y,
    { title: m.xTitle, format: (v) => (sizes.includes(v) ? String(v) : '') },
    { title: m.yTitle, format: m.yFormat },
  );
  // Label exactly the sizes that ran (log ticks would otherwise pick powers of two only).
  svg.select('.x-axis').selectAll('.tick').remove();
  const ticks = svg.select('.x-axis');
  for (const s of sizes) {
    const g = ticks
      .append('g')
      .attr('class', 'tick')
      .attr('transform', `translate(${r2(x(s))},0)`);
    g.append('line').attr('y2', 6).attr('stroke', p.muted);
    g.append('text')
      .attr('y', 9)
      .attr('dy', '0.71em')
      .attr('text-anchor', 'middle')
      .attr('fill', p.muted)
      .text(String(s));
  }
  const band = area<LinePoint>()
    .x((d) => r2(x(d.size)))
    .y0((d) => r2(y(d.lo)))
    .y1((d) => r2(y(d.hi)));
  const path = line<LinePoint>()
    .x((d) => r2(x(d.size)))
    .y((d) => r2(y(d.value)));
  m.series.forEach((s, i) => {
    const color = seriesColor(p, i);
    const g = svg.append('g').attr('class', 'series');
    g.append('path')
      .attr('class', 'band')
      .attr('d', band([...s.points]) ?? '')
      .attr('fill', color)
      .attr('fill-opacity', p.bandOpacity);
    g.append('path')
      .attr('class', 'line')
      .attr('d', path([...s.points]) ?? '')
      .attr('fill', 'none')
      .attr('stroke', color)
      .attr('stroke-width', 2);
    for (const pt of s.points) {
      g.append('circle')
        .attr('cx', r2(x(pt.size)))
        .attr('cy', r2(y(pt.value)))
        .attr('r', 3.5)
        .attr('fill', color);
    }
  });
  drawLegend(
    svg,
    f,
    m.series.map((s, i) => ({ label: s.label, color: seriesColor(p, i) })),
  );
}
