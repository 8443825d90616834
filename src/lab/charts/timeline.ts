/**
 * The result detail view's samples over time: each sample at its index in run order, throttled
 * ones marked, and the rolling median as a line, so drift and warm-up effects show.
 * `timelineModel` builds the scales from the stats worker's figures; `drawTimeline` only draws.
 */
import { line, scaleLinear, type ScaleLinear } from 'd3';
import type { RollingPoint, TimelinePoint } from '../../worker/result-view.ts';
import { formatMsTick } from '../lib/format.ts';
import {
  clipToPlot,
  drawAxes,
  drawLegend,
  frame,
  plotRange,
  r2,
  resetSvg,
  type Frame,
} from './frame.ts';
import { seriesColor, type Palette } from './palette.ts';

/** What the timeline draws. */
export interface TimelineModel {
  frame: Frame;
  palette: Palette;
  /** Sample index → px. */
  x: ScaleLinear<number, number>;
  /** ms → px. */
  y: ScaleLinear<number, number>;
  points: readonly TimelinePoint[];
  rolling: readonly RollingPoint[];
  /** Rolling window, samples (legend). */
  window: number;
  /** Points above the axis' top (drawn clipped at the top edge). */
  beyond: number;
  /** Accessible name. */
  label: string;
}

/** Builds the scales: x over the sample indices, y from the fastest sample to `cutMs`. */
export function timelineModel(
  data: {
    timeline: readonly TimelinePoint[];
    rolling: readonly RollingPoint[];
    window: number;
    cutMs: number;
    min: number;
  },
  size: { width: number; height: number },
  palette: Palette,
  label: string,
): TimelineModel {
  const f = frame(size.width, size.height);
  const { x: xr, y: yr } = plotRange(f);
  const lastIndex = data.timeline[data.timeline.length - 1]?.i ?? 0;
  const hi = data.cutMs > data.min ? data.cutMs : data.min * 1.01 + 1e-9;
  return {
    frame: f,
    palette,
    x: scaleLinear()
      .domain([0, Math.max(1, lastIndex)])
      .range(xr),
    y: scaleLinear().domain([data.min, hi]).range(yr).nice(),
    points: data.timeline,
    rolling: data.rolling,
    window: data.window,
    beyond: data.timeline.filter((p) => p.ms > hi).length,
    label,
  };
}

/** Draws the timeline into `node`. */
export function drawTimeline(node: SVGSVGElement, m: TimelineModel): void {
  const { frame: f, palette: p, x, y } = m;
  const svg = resetSvg(node, f, p, m.label);
  drawAxes(
    svg,
    f,
    p,
    x,
    y,
    { title: 'sample (run order)', format: (v) => (Number.isInteger(v) ? String(v) : '') },
    { title: 'time per launch', format: formatMsTick },
  );
  const clip = clipToPlot(svg, f, 'timeline-clip');
  const top = plotRange(f).y[1];
  const dots = svg.append('g').attr('class', 'samples').attr('clip-path', clip);
  for (const pt of m.points) {
    dots
      .append('circle')
      .attr('class', pt.throttled ? 'throttled' : 'sample')
      .attr('cx', r2(x(pt.i)))
      .attr('cy', r2(Math.max(top, y(pt.ms))))
      .attr('r', pt.throttled ? 3 : 1.8)
      .attr('fill', pt.throttled ? seriesColor(p, 1) : seriesColor(p, 0))
      .attr('fill-opacity', pt.throttled ? 0.9 : 0.55);
  }
  const path = line<RollingPoint>()
    .x((d) => r2(x(d.i)))
    .y((d) => r2(y(d.ms)));
  svg
    .append('path')
    .attr('class', 'rolling-median')
    .attr('clip-path', clip)
    .attr('d', path(m.rolling as RollingPoint[]) ?? '')
    .attr('fill', 'none')
    .attr('stroke', seriesColor(p, 2))
    .attr('stroke-width', 2);
  const legend = [
    { label: 'sample', color: seriesColor(p, 0) },
    { label: `rolling median (${m.window} samples)`, color: seriesColor(p, 2) },
  ];
  if (m.points.some((pt) => pt.throttled))
    legend.push({ label: 'throttled', color: seriesColor(p, 1) });
  drawLegend(svg, f, legend);
  if (m.beyond > 0) {
    svg
      .append('text')
      .attr('class', 'beyond')
      .attr('x', f.width - f.margin.right)
      .attr('y', top + 10)
      .attr('text-anchor', 'end')
      .attr('fill', p.muted)
      .text(`${m.beyond} slower sample${m.beyond === 1 ? '' : 's'} drawn at the top edge`);
  }
}
