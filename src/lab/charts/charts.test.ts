// @vitest-environment happy-dom
/**
 * Chart snapshots: each chart drawn from seeded samples through the same worker-side summaries
 * the lab uses, serialised with numbers rounded, compared with the SVG files in __snapshots__
 * (open them in a browser to look). Structural checks beside each snapshot say what must hold
 * whatever the styling: one bar per non-empty bin, the median line at the median, and so on.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../stats/index.ts';
import { LiveAccumulator, distributionView } from '../../worker/view-stats.ts';
import { drawHistogram, histogramModel } from './histogram.ts';
import { drawEcdf, ecdfModel } from './ecdf.ts';
import { drawViolin, violinModel } from './violin.ts';
import { drawSweepChart, sweepChartModel } from './sweep.ts';
import { drawRoofline, rooflineModel } from './roofline.ts';
import { LIGHT_PALETTE } from './palette.ts';

const SIZE = { width: 640, height: 260 };

/** Log-normal-ish kernel times around `medianMs`, seeded. */
function timings(seed: number, n: number, medianMs: number, spread = 0.05): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => {
    // Box–Muller from two uniforms.
    const u = Math.max(rng.next(), 1e-12);
    const v = rng.next();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return medianMs * Math.exp(spread * z);
  });
}

function svgNode(): SVGSVGElement {
  return document.createElementNS('http://www.w3.org/2000/svg', 'svg');
}

/** Serialises with numbers rounded to 2 decimals and one element per line, for stable diffs. */
function serialise(node: SVGSVGElement): string {
  return `${node.outerHTML
    .replace(/-?\d+\.\d{3,}(e-?\d+)?/g, (m) => String(Math.round(Number(m) * 100) / 100))
    .replace(/></g, '>\n<')}\n`;
}

describe('histogram', () => {
  const acc = new LiveAccumulator();
  const ms = timings(11, 400, 1.25);
  ms.push(9.5, 12); // two far-out slow samples
  acc.push(ms);
  const snap = acc.snapshot(30);
  if (snap === null) throw new Error('no snapshot');
  const model = histogramModel(snap, SIZE, LIGHT_PALETTE, 'Histogram of 402 samples');
  const node = svgNode();
  drawHistogram(node, model);

  it('draws one bar per non-empty bin, the median line at the median and the CI band', () => {
    const nonEmpty = snap.bins.filter((b) => b.count > 0).length;
    expect(node.querySelectorAll('.bars rect')).toHaveLength(nonEmpty);
    const line = node.querySelector('line.median');
    expect(Number(line?.getAttribute('x1'))).toBeCloseTo(model.x(snap.medianMs), 1);
    const band = node.querySelector('rect.ci-band');
    expect(Number(band?.getAttribute('x'))).toBeCloseTo(model.x(snap.ci?.[0] ?? 0), 1);
    expect(node.getAttribute('aria-label')).toBe('Histogram of 402 samples');
    expect(node.querySelector('text.above')?.textContent).toBe('2 slower samples off the axis →');
  });

  it('matches its snapshot', async () => {
    await expect(serialise(node)).toMatchFileSnapshot('__snapshots__/histogram.svg');
  });

  it('moves the slower-samples note a line down where it would meet the median label', () => {
    const y = (n: SVGSVGElement, sel: string) => Number(n.querySelector(sel)?.getAttribute('y'));
    expect(y(node, 'text.above')).toBe(y(node, 'text.median-label'));
    const narrow = svgNode();
    drawHistogram(narrow, histogramModel(snap, { width: 300, height: 200 }, LIGHT_PALETTE, 'h'));
    expect(y(narrow, 'text.above')).toBe(y(narrow, 'text.median-label') + 14);
  });
});

describe('ECDF', () => {
  const a = distributionView(timings(21, 200, 2.0), 'a');
  const b = distributionView(timings(22, 200, 1.6), 'b');
  const model = ecdfModel(
    [
      {
        label: 'A: naive',
        points: a.ecdf,
        medianMs: a.box.median,
        cutMs: a.fenceHi,
        beyond: a.farOut,
      },
      {
        label: 'B: flash',
        points: b.ecdf,
        medianMs: b.box.median,
        cutMs: b.fenceHi,
        beyond: b.farOut,
      },
    ],
    SIZE,
    LIGHT_PALETTE,
    'ECDF of A and B',
  );
  const node = svgNode();
  drawEcdf(node, model);

  it('draws one step curve and one median marker per side, ending at 100%', () => {
    expect(node.querySelectorAll('path.ecdf')).toHaveLength(2);
    expect(node.querySelectorAll('line.median')).toHaveLength(2);
    expect(a.ecdf.at(-1)?.p).toBe(1);
    expect(a.ecdf[0]?.p).toBeCloseTo(1 / 200, 12);
  });

  it('matches its snapshot', async () => {
    await expect(serialise(node)).toMatchFileSnapshot('__snapshots__/ecdf.svg');
  });
});

describe('violin', () => {
  const a = distributionView(timings(31, 150, 3.0, 0.08), 'a');
  const b = distributionView(timings(32, 150, 2.4, 0.04), 'b');
  const model = violinModel(
    [
      { label: 'A baseline', density: a.density, box: a.box, cutMs: a.fenceHi, beyond: a.farOut },
      { label: 'B candidate', density: b.density, box: b.box, cutMs: b.fenceHi, beyond: b.farOut },
    ],
    SIZE,
    LIGHT_PALETTE,
    'Violin and box plots of A and B',
  );
  const node = svgNode();
  drawViolin(node, model);

  it('draws a violin, a box and a median per side, boxes at the quartiles', () => {
    expect(node.querySelectorAll('g.violin')).toHaveLength(2);
    const boxes = node.querySelectorAll('rect.box');
    expect(boxes).toHaveLength(2);
    expect(Number(boxes[0]?.getAttribute('x'))).toBeCloseTo(model.x(a.box.q1), 1);
    const medians = node.querySelectorAll('line.median');
    expect(Number(medians[1]?.getAttribute('x1'))).toBeCloseTo(model.x(b.box.median), 1);
  });

  it('matches its snapshot', async () => {
    await expect(serialise(node)).toMatchFileSnapshot('__snapshots__/violin.svg');
  });
});

describe('sweep chart', () => {
  const sizes = [128, 256, 512, 1024];
  // Time grows as S² for attention: give two targets that shape, with ±4% CIs.
  const series = [
    { label: 'webgpu · flash-f32', scale: 0.9e-5 },
    { label: 'cpu · cpu-flash-f32', scale: 3.1e-5 },
  ].map((t) => ({
    label: t.label,
    points: sizes.map((s) => {
      const v = t.scale * s * s;
      return { size: s, value: v, lo: v * 0.96, hi: v * 1.04 };
    }),
  }));
  const model = sweepChartModel(series, 'time', 'seqLen', SIZE, LIGHT_PALETTE, 'Sweep over S');
  const node = svgNode();
  drawSweepChart(node, model);

  it('labels exactly the sizes that ran and draws a band and a line per target', () => {
    const ticks = [...node.querySelectorAll('.x-axis .tick text')].map((t) => t.textContent);
    expect(ticks).toEqual(['128', '256', '512', '1024']);
    expect(node.querySelectorAll('path.band')).toHaveLength(2);
    expect(node.querySelectorAll('circle')).toHaveLength(8);
  });

  it('matches its snapshot', async () => {
    await expect(serialise(node)).toMatchFileSnapshot('__snapshots__/sweep.svg');
  });
});

describe('roofline', () => {
  const series = [
    {
      label: 'cuda · flash-v1',
      points: [
        { intensity: 32, tflops: 110, tag: 'S=128' },
        { intensity: 128, tflops: 310, tag: 'S=512' },
        { intensity: 512, tflops: 520, tag: 'S=2048' },
      ],
    },
  ];
  const model = rooflineModel(
    series,
    { peakTflops: 989, peakGbps: 3350 },
    SIZE,
    LIGHT_PALETTE,
    'Roofline',
  );
  const node = svgNode();
  drawRoofline(node, model);

  it('draws both ceilings meeting at the ridge point, and every point', () => {
    const bw = node.querySelector('line.bandwidth');
    const compute = node.querySelector('line.compute');
    expect(bw?.getAttribute('x2')).toBe(compute?.getAttribute('x1'));
    expect(bw?.getAttribute('y2')).toBe(compute?.getAttribute('y1'));
    // Ridge: 989 TFLOP/s ÷ 3.35 TB/s ≈ 295 FLOP/B.
    expect(model.x.invert(Number(compute?.getAttribute('x1')))).toBeCloseTo(989 / 3.35, 0);
    expect(node.querySelectorAll('circle')).toHaveLength(3);
  });

  it('says so when the ceilings are unknown', () => {
    const bare = svgNode();
    drawRoofline(
      bare,
      rooflineModel(series, { peakTflops: null, peakGbps: null }, SIZE, LIGHT_PALETTE, 'Roofline'),
    );
    expect(bare.querySelector('text.no-ceilings')?.textContent).toBe('device ceilings unknown');
    expect(bare.querySelector('line.compute')).toBeNull();
  });

  it('matches its snapshot', async () => {
    await expect(serialise(node)).toMatchFileSnapshot('__snapshots__/roofline.svg');
  });
});
