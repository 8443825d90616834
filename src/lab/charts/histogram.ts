/**
 * The Run view's live histogram of sample times, with the running median and its CI as a band.
 * `histogramModel` builds the scales from a stats-worker snapshot; `drawHistogram` only draws.
 */
import { scaleLinear, type ScaleLinear } from 'd3';
import type { Bin } from '../../worker/view-stats.ts';
import { formatMs, formatMsTick } from '../lib/format.ts';
import { drawAxes, frame, plotRange, r2, resetSvg, type Frame } from './frame.ts';
import { seriesColor, type Palette } from './palette.ts';

/** What the histogram draws. */
export interface HistogramModel {
  frame: Frame;
  palette: Palette;
  /** Time axis, ms → px. */
  x: ScaleLinear<number, number>;
  /** Count axis → px. */
  y: ScaleLinear<number, number>;
  bins: readonly Bin[];
  /** Running median, ms. */
  medianMs: number;
  /** CI of the median, ms (null: too few samples). */
  ci: readonly [number, number] | null;
  /** Samples beyond the last bin. */
  above: number;
  /** Samples in all. */
  n: number;
  /** Accessible name. */
  label: string;
}

/** Builds the scales for a snapshot. */
export function histogramModel(
  snapshot: {
    bins: readonly Bin[];
    medianMs: number;
    ci: readonly [number, number] | null;
    above: number;
    n: number;
  },
  size: { width: number; height: number },
  palette: Palette,
  label: string,
): HistogramModel {
  const f = frame(size.width, size.height);
  const { x: xr, y: yr } = plotRange(f);
  const first = snapshot.bins[0];
  const last = snapshot.bins[snapshot.bins.length - 1];
  let lo = Math.min(first?.x0 ?? 0, snapshot.ci?.[0] ?? Infinity);
  let hi = Math.max(last?.x1 ?? 1, snapshot.ci?.[1] ?? -Infinity);
  // One sample (or all equal): widen to ±5% of the median so the axis has a readable span.
  const floor = Math.abs(snapshot.medianMs) * 0.05 || 1e-3;
  if (hi - lo < floor) {
    const mid = (lo + hi) / 2;
    lo = Math.max(0, mid - floor);
    hi = mid + floor;
  }
  const maxCount = Math.max(1, ...snapshot.bins.map((b) => b.count));
  return {
    frame: f,
    palette,
    x: scaleLinear().domain([lo, hi]).range(xr).nice(),
    y: scaleLinear().domain([0, maxCount]).range(yr).nice(),
    bins: snapshot.bins,
    medianMs: snapshot.medianMs,
    ci: snapshot.ci,
    above: snapshot.above,
    n: snapshot.n,
    label,
  };
}

/** Draws the histogram into `node`. */
export function drawHistogram(node: SVGSVGElement, m: HistogramModel): void {
  const { frame: f, palette: p, x, y } = m;
  const svg = resetSvg(node, f, p, m.label);
  const { y: yr } = plotRange(f);
  if (m.ci) {
    svg
      .append('rect')
      .attr('class', 'ci-band')
      .attr('x', r2(x(m.ci[0])))
      .attr('width', r2(Math.max(1, x(m.ci[1]) - x(m.ci[0]))))
      .attr('y', yr[1])
      .attr('height', yr[0] - yr[1])
      .attr('fill', seriesColor(p, 1))
      .attr('fill-opacity', p.bandOpacity);
  }
  drawAxes(
    svg,
    f,
    p,
    x,
    y,
    { title: 'time per launch', format: formatMsTick },
    { title: 'samples', format: (v) => (Number.isInteger(v) ? String(v) : '') },
  );
  const bars = svg.append('g').attr('class', 'bars').attr('fill', seriesColor(p, 0));
  for (const b of m.bins) {
    if (b.count === 0) continue;
    const x0 = x(b.x0);
    const x1 = x(b.x1);
    bars
      .append('rect')
      .attr('x', r2(x0 + 0.5))
      .attr('width', r2(Math.max(1, x1 - x0 - 1)))
      .attr('y', r2(y(b.count)))
      .attr('height', r2(yr[0] - y(b.count)));
  }
  const mx = r2(x(m.medianMs));
  svg
    .append('line')
    .attr('class', 'median')
    .attr('x1', mx)
    .attr('x2', mx)
    .attr('y1', yr[0])
    .attr('y2', yr[1])
    .attr('stroke', seriesColor(p, 1))
    .attr('stroke-width', 2);
  const right = f.width - f.margin.right;
  const medianText = `median ${formatMs(m.medianMs)}`;
  // A label that would run past the plot's right edge goes on the line's left side.
  const medianLeft = mx + 4 + textWidth(medianText) > right;
  svg
    .append('text')
    .attr('class', 'median-label')
    .attr('x', medianLeft ? mx - 4 : mx + 4)
    .attr('y', yr[1] + 10)
    .attr('text-anchor', medianLeft ? 'end' : null)
    .text(medianText);
  if (m.above > 0) {
    const note = `${m.above} slower sample${m.above === 1 ? '' : 's'} off the axis →`;
    // The note ends at the right edge; where it would meet the median label, it takes the
    // line below instead.
    const labelEnd = medianLeft ? mx - 4 : mx + 4 + textWidth(medianText);
    const clash = labelEnd + 8 > right - textWidth(note);
    svg
      .append('text')
      .attr('class', 'above')
      .attr('x', right)
      .attr('y', yr[1] + (clash ? 24 : 10))
      .attr('text-anchor', 'end')
      .attr('fill', p.muted)
      .text(note);
  }
}

/** A generous estimate of a label's width in px at the charts' 11 px font. */
function textWidth(text: string): number {
  return text.length * 6.5;
}
