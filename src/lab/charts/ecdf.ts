/**
 * Overlaid ECDFs of two (or more) samples, for the Compare view: a step line per side and a
 * dashed marker at each median. The stats worker supplies the points.
 */
import { line, scaleLinear, curveStepAfter, type ScaleLinear } from 'd3';
import type { EcdfPoint } from '../../worker/view-stats.ts';
import { formatMsTick } from '../lib/format.ts';
import {
  clipToPlot,
  cutExtent,
  drawAxes,
  drawLegend,
  frame,
  plotRange,
  r2,
  resetSvg,
  type Frame,
} from './frame.ts';
import { seriesColor, type Palette } from './palette.ts';

/** One ECDF curve. */
export interface EcdfSeries {
  label: string;
  points: readonly EcdfPoint[];
  medianMs: number;
  /** Where the axis may end for this series (e.g. its outer fence), ms. */
  cutMs: number;
  /** Samples beyond `cutMs`. */
  beyond: number;
}

/** What the ECDF chart draws. */
export interface EcdfModel {
  frame: Frame;
  palette: Palette;
  x: ScaleLinear<number, number>;
  y: ScaleLinear<number, number>;
  series: readonly EcdfSeries[];
  /** Samples beyond the axis' end, over all series. */
  beyond: number;
  label: string;
}

/** Builds shared scales over every series. */
export function ecdfModel(
  series: readonly EcdfSeries[],
  size: { width: number; height: number },
  palette: Palette,
  label: string,
): EcdfModel {
  const f = frame(size.width, size.height);
  const { x: xr, y: yr } = plotRange(f);
  // Cut far-out slow samples (counted in the chart) so the bulk stays readable.
  const { lo, hi, beyond } = cutExtent(
    series.flatMap((s) => s.points.map((p) => p.x)),
    series,
  );
  return {
    frame: f,
    palette,
    x: scaleLinear()
      .domain(lo === hi ? [lo * 0.99, hi * 1.01 + 1e-9] : [lo, hi])
      .range(xr)
      .nice(),
    y: scaleLinear().domain([0, 1]).range(yr),
    series,
    beyond,
    label,
  };
}

/** Draws the ECDFs. */
export function drawEcdf(node: SVGSVGElement, m: EcdfModel): void {
  const { frame: f, palette: p, x, y } = m;
  const svg = resetSvg(node, f, p, m.label);
  drawAxes(
    svg,
    f,
    p,
    x,
    y,
    { title: 'time per launch', format: formatMsTick },
    { title: 'fraction of samples ≤ t', format: (v) => `${Math.round(v * 100)}%` },
  );
  const { y: yr } = plotRange(f);
  const clip = clipToPlot(svg, f, 'ecdf-clip');
  const path = line<EcdfPoint>()
    .x((d) => r2(x(d.x)))
    .y((d) => r2(y(d.p)))
    .curve(curveStepAfter);
  m.series.forEach((s, i) => {
    const color = seriesColor(p, i);
    const first = s.points[0];
    const pts = first ? [{ x: first.x, p: 0 }, ...s.points] : [];
    svg
      .append('path')
      .attr('class', 'ecdf')
      .attr('clip-path', clip)
      .attr('d', path(pts) ?? '')
      .attr('fill', 'none')
      .attr('stroke', color)
      .attr('stroke-width', 2);
    const mx = r2(x(s.medianMs));
    svg
      .append('line')
      .attr('class', 'median')
      .attr('x1', mx)
      .attr('x2', mx)
      .attr('y1', yr[0])
      .attr('y2', r2(y(0.5)))
      .attr('stroke', color)
      .attr('stroke-dasharray', '4 3');
  });
  // Bottom right is empty for ECDFs (they rise from the left), so the legend goes there.
  drawLegend(
    svg,
    {
      ...f,
      margin: {
        ...f.margin,
        left: f.width - f.margin.right - 230,
        top: yr[0] - 20 - 16 * m.series.length,
      },
    },
    m.series.map((s, i) => ({ label: s.label, color: seriesColor(p, i) })),
  );
  if (m.beyond > 0) {
    svg
      .append('text')
      .attr('class', 'beyond')
      .attr('x', f.width - f.margin.right)
      .attr('y', yr[1] - 4)
      .attr('text-anchor', 'end')
      .attr('fill', p.muted)
      .text(`${m.beyond} far-out sample${m.beyond === 1 ? '' : 's'} beyond the axis →`);
  }
}
