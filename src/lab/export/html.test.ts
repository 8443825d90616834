/** HTML reports stand alone: one document, no scripts, no external references, text escaped. */
import { describe, expect, it } from 'vitest';
import { compare } from '../../stats/index.ts';
import { exampleResult, readResult } from '../../model/index.ts';
import { comparisonHtml, escapeHtml, sweepHtml } from './html.ts';

/** Every attribute that could load something, except SVG's namespace declaration. */
function externalRefs(html: string): string[] {
  return [
    ...html.matchAll(
      /\b(?:src|href|xlink:href|action|poster)\s*=\s*["'][^"']*["']|url\((?!#)|@import|<link\b|<script\b/gi,
    ),
  ].map((m) => m[0]);
}

const a = readResult(
  exampleResult([2, 2.1, 2.05, 1.95, 2.02, 2.08], {
    id: 'a',
    target: { backend: 'cpu', kernel: '<script>alert(1)</script>', kernelParams: {} },
  }),
);
const b = readResult(exampleResult([1.5, 1.52, 1.49, 1.51, 1.5, 1.53], { id: 'b' }));
const stamp = { title: 't', lines: ['config: B=1', 'device: cpu', 'date: 2026-11-23 12:00 UTC'] };
const chart =
  '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" role="img" aria-label="c"><rect width="5" height="5"/></svg>';

describe('comparisonHtml', () => {
  const c = compare(a.samples.ms, b.samples.ms, { resamples: 200 });
  const html = comparisonHtml(a, b, c, [], 0.02, stamp, [chart]);

  it('is one document with inline styles and the chart inline', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<style>');
    expect(html).toContain(`<figure>${chart}</figure>`);
    expect(html).toContain('device: cpu');
  });

  it('has no external references and escapes labels', () => {
    expect(externalRefs(html)).toEqual([]);
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});

describe('sweepHtml', () => {
  it('lists rows with speedup CIs and no external references', () => {
    const html = sweepHtml(
      'Sweep over S',
      'S',
      [
        {
          size: 64,
          variant: null,
          target: 'cpu · x',
          baseline: false,
          n: 8,
          medianMs: 1.5,
          ciMs: [1.4, 1.6],
          tflops: 0.01,
          gbps: 1,
          speedup: { estimate: 1.25, ci: [1.2, 1.3], verdict: 'faster' },
          resultId: 'r',
        },
      ],
      stamp,
      [chart],
    );
    expect(html).toContain('<td class="num">1.25× [1.2, 1.3]</td>');
    expect(externalRefs(html)).toEqual([]);
  });

  it('escapes quotes and ampersands', () => {
    expect(escapeHtml(`a&b "c" 'd' <e>`)).toBe('a&amp;b &quot;c&quot; &#39;d&#39; &lt;e&gt;');
  });
});
