/**
 * Overlaid violins with box plots, one row per side, on a shared time axis (Compare view). The
 * densities, quartiles and whiskers come from the stats worker.
 */
import {
  area,
  axisBottom,
  curveBasis,
  scaleBand,
  scaleLinear,
  type ScaleBand,
  type ScaleLinear,
} from 'd3';
import type { BoxFigures, DensityPoint } from '../../worker/view-stats.ts';
import { formatMsTick } from '../lib/format.ts';
import { clipToPlot, cutExtent, frame, plotRange, r2, resetSvg, type Frame } from './frame.ts';
import { seriesColor, type Palette } from './palette.ts';

/** One violin. */
export interface ViolinSeries {
  label: string;
  density: readonly DensityPoint[];
  box: BoxFigures;
  /** Where the axis may end for this series (e.g. its outer fence), ms. */
  cutMs: number;
  /** Samples beyond `cutMs`. */
  beyond: number;
}

/** What the violin chart draws. */
export interface ViolinModel {
  frame: Frame;
  palette: Palette;
  /** Time axis. */
  x: ScaleLinear<number, number>;
  /** Rows. */
  row: ScaleBand<string>;
  /** Density → half-height in px, per series: each violin fills its row (shapes compare, areas do not). */
  widths: readonly ScaleLinear<number, number>[];
  series: readonly ViolinSeries[];
  /** Samples beyond the axis' end, over all series. */
  beyond: number;
  label: string;
}

/** Builds the scales over every series. */
export function violinModel(
  series: readonly ViolinSeries[],
  size: { width: number; height: number },
  palette: Palette,
  label: string,
): ViolinModel {
  const f = frame(size.width, size.height, { left: 110 });
  const { x: xr, y: yr } = plotRange(f);
  const { lo, hi, beyond } = cutExtent(
    series.flatMap((s) => s.density.map((d) => d.x)),
    series,
  );
  const row = scaleBand()
    .domain(series.map((s) => s.label))
    .range([yr[1], yr[0]])
    .padding(0.12);
  return {
    frame: f,
    palette,
    x: scaleLinear().domain([lo, hi]).range(xr).nice(),
    row,
    widths: series.map((s) =>
      scaleLinear()
        .domain([0, Math.max(1e-12, ...s.density.map((d) => d.density))])
        .range([0, row.bandwidth() / 2]),
    ),
    series,
    beyond,
    label,
  };
}

/** Draws the violins and boxes. */
export function drawViolin(node: SVGSVGElement, m: ViolinModel): void {
  const { frame: f, palette: p, x, row } = m;
  const svg = resetSvg(node, f, p, m.label);
  const { y: yr } = plotRange(f);
  const clip = clipToPlot(svg, f, 'violin-clip');
  const gx = svg
    .append('g')
    .attr('class', 'x-axis')
    .attr('transform', `translate(0,${yr[0]})`)
    .call(
      axisBottom(x)
        .ticks(6)
        .tickFormat((d) => formatMsTick(Number(d))),
    );
  gx.attr('font-family', null).attr('font-size', null);
  gx.selectAll('path, line').attr('stroke', p.muted);
  gx.selectAll('text').attr('fill', p.muted);
  svg
    .append('text')
    .attr('class', 'x-title')
    .attr('x', (f.margin.left + f.width - f.margin.right) / 2)
    .attr('y', f.height - 6)
    .attr('text-anchor', 'middle')
    .text('time per launch');
  m.series.forEach((s, i) => {
    const color = seriesColor(p, i);
    const cy = (row(s.label) ?? 0) + row.bandwidth() / 2;
    const width = m.widths[i] ?? scaleLinear();
    const g = svg.append('g').attr('class', 'violin').attr('clip-path', clip);
    const shape = area<DensityPoint>()
      .x((d) => r2(x(d.x)))
      .y0((d) => r2(cy - width(d.density)))
      .y1((d) => r2(cy + width(d.density)))
      .curve(curveBasis);
    g.append('path')
      .attr('d', shape([...s.density]) ?? '')
      .attr('fill', color)
      .attr('fill-opacity', p.bandOpacity + 0.1)
      .attr('stroke', color);
    const b = s.box;
    const h = Math.min(14, row.bandwidth() / 4);
    g.append('line')
      .attr('class', 'whisker')
      .attr('x1', r2(x(b.whiskerLo)))
      .attr('x2', r2(x(b.whiskerHi)))
      .attr('y1', r2(cy))
      .attr('y2', r2(cy))
      .attr('stroke', p.fg);
    g.append('rect')
      .attr('class', 'box')
      .attr('x', r2(x(b.q1)))
      .attr('width', r2(Math.max(1, x(b.q3) - x(b.q1))))
      .attr('y', r2(cy - h / 2))
      .attr('height', r2(h))
      .attr('fill', p.bg)
      .attr('stroke', p.fg);
    g.append('line')
      .attr('class', 'median')
      .attr('x1', r2(x(b.median)))
      .attr('x2', r2(x(b.median)))
      .attr('y1', r2(cy - h / 2))
      .attr('y2', r2(cy + h / 2))
      .attr('stroke', color)
      .attr('stroke-width', 3);
    svg
      .append('text')
      .attr('class', 'row-label')
      .attr('x', f.margin.left - 8)
      .attr('y', r2(cy))
      .attr('dy', '0.32em')
      .attr('text-anchor', 'end')
      .text(s.label.length > 18 ? `${s.label.slice(0, 17)}…` : s.label);
  });
  if (m.beyond > 0) {
    svg
      .append('text')
      .attr('class', 'beyond')
      .attr('x', f.width - f.margin.right)
      .attr('y', f.margin.top - 4)
      .attr('text-anchor', 'end')
      .attr('fill', p.muted)
      .text(`${m.beyond} far-out sample${m.beyond === 1 ? '' : 's'} beyond the axis →`);
  }
}
