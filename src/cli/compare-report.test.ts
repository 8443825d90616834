/** `attnlab compare` prints the compute-relevant environment rows and counts the rest. */
import { describe, expect, it } from 'vitest';
import { compare } from '../stats/index.ts';
import { diffEnv, type Env } from '../model/index.ts';
import { formatCompareMarkdown, formatCompareText, type CompareContext } from './compare-report.ts';

const envA: Env = {
  adapter: {
    vendor: 'nvidia',
    architecture: 'hopper',
    device: 'H100',
    description: '',
    features: ['timestamp-query'],
    limits: { maxTextureDimension1D: 8192, maxTextureDimension2D: 8192, maxBufferSize: 1024 },
  },
};
const envB: Env = {
  adapter: {
    vendor: 'nvidia',
    architecture: 'hopper',
    device: 'H200',
    description: '',
    features: ['timestamp-query'],
    limits: { maxTextureDimension1D: 16384, maxTextureDimension2D: 16384, maxBufferSize: 2048 },
  },
};
const result = compare([1.1, 1.2, 1.15, 1.18, 1.22, 1.19], [1.3, 1.31, 1.29, 1.35, 1.33, 1.32], {
  resamples: 200,
});
const ctx = (mode?: CompareContext['envDiffMode']): CompareContext => ({
  baselineLabel: 'a',
  candidateLabel: 'b',
  envDiff: diffEnv(envA, envB),
  ...(mode ? { envDiffMode: mode } : {}),
  confidence: 0.95,
  margin: 0.02,
});

describe('compare printers: environment difference', () => {
  it('shows device and compute limits, then counts the folded rows', () => {
    const text = formatCompareText(result, ctx());
    const env = text.slice(text.indexOf('environment difference:'));
    expect(env.trim().split('\n')).toEqual([
      'environment difference:',
      '  adapter.device: H100 → H200',
      '  adapter.limits.maxBufferSize: 1024 → 2048',
      '  2 more differences (--env-diff all)',
    ]);
  });

  it('prints every row with --env-diff all and none with --env-diff none', () => {
    expect(formatCompareText(result, ctx('all'))).toContain(
      'adapter.limits.maxTextureDimension2D: 8192 → 16384',
    );
    expect(formatCompareText(result, ctx('none'))).not.toContain('environment difference');
  });

  it('folds the rest into <details> in Markdown', () => {
    const md = formatCompareMarkdown(result, ctx());
    expect(md).toContain('| adapter.device | H100 | H200 |');
    expect(md).toContain('<details><summary>2 more differences</summary>');
  });
});
