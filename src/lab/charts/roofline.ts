/**
 * The roofline: arithmetic intensity (FLOP per minimal byte) against achieved TFLOP/s, per
 * target and size, under the device's compute and bandwidth ceilings when known.
 */
import { scaleLog, type ScaleLogarithmic } from 'd3';
import { formatTick, sig } from '../lib/format.ts';
import { drawAxes, drawLegend, frame, plotRange, r2, resetSvg, type Frame } from './frame.ts';
import { seriesColor, type Palette } from './palette.ts';

/** One measured point. */
export interface RooflinePoint {
  /** FLOP per byte. */
  intensity: number;
  tflops: number;
  /** Size label, e.g. `S=128`. */
  tag: string;
}

/** One target's points. */
export interface RooflineSeries {
  label: string;
  points: readonly RooflinePoint[];
}

/** What the roofline draws. */
export interface RooflineModel {
  frame: Frame;
  palette: Palette;
  x: ScaleLogarithmic<number, number>;
  y: ScaleLogarithmic<number, number>;
  series: readonly RooflineSeries[];
  /** Compute ceiling, TFLOP/s (null: unknown). */
  peakTflops: number | null;
  /** Bandwidth ceiling, GB/s (null: unknown). */
  peakGbps: number | null;
  label: string;
}

/** Builds log scales covering points and ceilings. */
export function rooflineModel(
  series: readonly RooflineSeries[],
  ceilings: { peakTflops: number | null; peakGbps: number | null },
  size: { width: number; height: number },
  palette: Palette,
  label: string,
): RooflineModel {
  const f = frame(size.width, size.height, { left: 70 });
  const { x: xr, y: yr } = plotRange(f);
  const pts = series.flatMap((s) => s.points).filter((p) => p.intensity > 0 && p.tflops > 0);
  const xs = pts.map((p) => p.intensity);
  const ys = pts.map((p) => p.tflops);
  if (ceilings.peakTflops !== null) ys.push(ceilings.peakTflops);
  const xlo = xs.length > 0 ? Math.min(...xs) / 2 : 1;
  const xhi = xs.length > 0 ? Math.max(...xs) * 2 : 100;
  const ylo = ys.length > 0 ? Math.min(...ys) / 3 : 0.001;
  const yhi = ys.length > 0 ? Math.max(...ys) * 3 : 1;
  return {
    frame: f,
    palette,
    x: scaleLog().domain([xlo, xhi]).range(xr),
    y: scaleLog().domain([ylo, yhi]).range(yr),
    series,
    peakTflops: ceilings.peakTflops,
    peakGbps: ceilings.peakGbps,
    label,
  };
}

/** Draws ceilings and points. */
export function drawRoofline(node: SVGSVGElement, m: RooflineModel): void {
  const { frame: f, palette: p, x, y } = m;
  const svg = resetSvg(node, f, p, m.label);
  drawAxes(
    svg,
    f,
    p,
    x,
    y,
    { title: 'arithmetic intensity (FLOP / byte)', ticks: 5, format: formatTick },
    { title: 'TFLOP/s', format: formatTick },
  );
  const [xlo, xhi] = x.domain() as [number, number];
  const roof = svg
    .append('g')
    .attr('class', 'ceilings')
    .attr('stroke', p.fg)
    .attr('stroke-width', 1.5)
    .attr('fill', 'none');
  if (m.peakGbps !== null) {
    // Bandwidth roof: TFLOP/s = intensity · GB/s / 1000, up to the compute roof.
    const bw = m.peakGbps / 1000;
    const ridge = m.peakTflops !== null ? m.peakTflops / bw : xhi;
    const end = Math.min(xhi, ridge);
    roof
      .append('line')
      .attr('class', 'bandwidth')
      .attr('x1', r2(x(xlo)))
      .attr('y1', r2(y(xlo * bw)))
      .attr('x2', r2(x(end)))
      .attr('y2', r2(y(end * bw)));
    // Label the slope where it meets the compute roof (or the right edge), under the line.
    svg
      .append('text')
      .attr('class', 'bandwidth-label')
      .attr('x', r2(x(end)) - 8)
      .attr('y', r2(y(end * bw)) + 16)
      .attr('text-anchor', 'end')
      .attr('fill', p.muted)
      .text(`${sig(m.peakGbps, 3)} GB/s`);
  }
  if (m.peakTflops !== null) {
    const start = m.peakGbps !== null ? Math.max(xlo, m.peakTflops / (m.peakGbps / 1000)) : xlo;
    roof
      .append('line')
      .attr('class', 'compute')
      .attr('x1', r2(x(start)))
      .attr('y1', r2(y(m.peakTflops)))
      .attr('x2', r2(x(xhi)))
      .attr('y2', r2(y(m.peakTflops)));
    svg
      .append('text')
      .attr('x', r2(x(xhi)) - 4)
      .attr('y', r2(y(m.peakTflops)) - 6)
      .attr('text-anchor', 'end')
      .attr('fill', p.muted)
      .text(`${sig(m.peakTflops, 3)} TFLOP/s peak`);
  }
  if (m.peakGbps === null && m.peakTflops === null) {
    const { x: xr, y: yr } = plotRange(f);
    svg
      .append('text')
      .attr('class', 'no-ceilings')
      .attr('x', xr[1] - 4)
      .attr('y', yr[1] + 12)
      .attr('text-anchor', 'end')
      .attr('fill', p.muted)
      .text('device ceilings unknown');
  }
  m.series.forEach((s, i) => {
    const color = seriesColor(p, i);
    const g = svg.append('g').attr('class', 'points').attr('fill', color);
    for (const pt of s.points) {
      if (pt.intensity <= 0 || pt.tflops <= 0) continue;
      g.append('circle')
        .attr('cx', r2(x(pt.intensity)))
        .attr('cy', r2(y(pt.tflops)))
        .attr('r', 4)
        .append('title')
        .text(
          `${s.label} ${pt.tag}: ${sig(pt.tflops, 3)} TFLOP/s at ${sig(pt.intensity, 3)} FLOP/B`,
        );
    }
  });
  drawLegend(
    svg,
    f,
    m.series.map((s, i) => ({ label: s.label, color: seriesColor(p, i) })),
  );
}
