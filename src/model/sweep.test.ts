/** Sweep axes: parsing values with clear errors, and the cartesian product of several axes. */
import { describe, expect, it } from 'vitest';
import { parseAxisValues, pointLabel, sweepPoints, toSweepAxis } from './sweep.ts';

describe('parseAxisValues', () => {
  it('reads lists and power-of-two ranges, sorted and deduplicated', () => {
    expect(parseAxisValues('seqLen', '256, 64,256')).toEqual({ ok: true, values: [64, 256] });
    expect(parseAxisValues('kvSeqLen', '1024..8192')).toEqual({
      ok: true,
      values: [1024, 2048, 4096, 8192],
    });
  });

  it('reads causal both and dtype lists', () => {
    expect(parseAxisValues('causal', 'both')).toEqual({ ok: true, values: [false, true] });
    expect(parseAxisValues('dtype', 'f16,f32')).toEqual({ ok: true, values: ['f32', 'f16'] });
  });

  it('names the axis and the allowed range in errors', () => {
    const bad = parseAxisValues('heads', '8,2000');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toMatch(/^heads: 2000 is not allowed; .* in 1\.\.1024/);
    expect(parseAxisValues('dtype', 'f64')).toEqual({
      ok: false,
      error: 'dtype: expected a list of f32, f16, bf16, got "f64"',
    });
    expect(parseAxisValues('causal', 'maybe').ok).toBe(false);
    expect(parseAxisValues('batch', '1.5').ok).toBe(false);
  });
});

describe('sweepPoints', () => {
  it('multiplies the axes, the first outermost', () => {
    const points = sweepPoints([
      { axis: 'seqLen', values: [64, 128] },
      { axis: 'causal', values: [false, true] },
    ]);
    expect(points.map((p) => pointLabel(p, ['seqLen', 'causal']))).toEqual([
      'S=64 non-causal',
      'S=64 causal',
      'S=128 non-causal',
      'S=128 causal',
    ]);
  });

  it('accepts short axis names', () => {
    expect(toSweepAxis('Skv')).toBe('kvSeqLen');
    expect(toSweepAxis('H')).toBe('heads');
    expect(toSweepAxis('Q')).toBeNull();
  });
});
