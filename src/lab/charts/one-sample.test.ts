// @vitest-environment happy-dom
/** A 1-sample run: no zero-width CI shown, and an axis without repeated labels. */
import { describe, expect, it } from 'vitest';
import { LiveAccumulator } from '../../worker/view-stats.ts';
import { formatCi } from '../lib/format.ts';
import { drawHistogram, histogramModel } from './histogram.ts';
import { LIGHT_PALETTE } from './palette.ts';

describe('one sample', () => {
  it('draws a histogram whose x-axis labels are all different', () => {
    const acc = new LiveAccumulator();
    acc.push([1.2345]);
    const snap = acc.snapshot(30);
    if (snap === null) throw new Error('no snapshot');
    const node = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    drawHistogram(node, histogramModel(snap, { width: 640, height: 260 }, LIGHT_PALETTE, 'one'));
    const labels = [...node.querySelectorAll('.x-axis .tick text')].map((t) => t.textContent);
    expect(labels.length).toBeGreaterThanOrEqual(2);
    expect(new Set(labels).size).toBe(labels.length);
  });

  it('shows no interval for one sample and the interval for more', () => {
    expect(formatCi([1.2345, 1.2345], 1)).toBe('none from 1 sample');
    expect(formatCi([1.2, 1.3], 2)).toBe('[1.200, 1.300] ms');
  });
});
