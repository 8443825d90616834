import { describe, expect, it } from 'vitest';
import { byteAxis, divergingScale, maxAbs, stepLabel, weightScale } from './scales.ts';

describe('colour scales', () => {
  it('diverging: white at zero, symmetric extremes, readable ink', () => {
    const s = divergingScale('score', 2);
    expect(s.domain).toEqual([-2, 2]);
    // The middle of RdBu is a near-white grey.
    for (const channel of (s.fill(0).match(/\d+/g) ?? []).map(Number)) {
      expect(channel).toBeGreaterThan(230);
    }
    // Positive is warm (red channel high), negative cool (blue channel high).
    const [r1, , b1] = (s.fill(2).match(/\d+/g) ?? []).map(Number);
    const [r2, , b2] = (s.fill(-2).match(/\d+/g) ?? []).map(Number);
    expect(r1).toBeGreaterThan(b1 ?? 255);
    expect(b2).toBeGreaterThan(r2 ?? 255);
    expect(s.ink(0)).toBe('#111');
    expect(s.ink(2)).toBe('#fff');
    expect(s.label(-1.234)).toBe('−1.23');
  });

  it('weights: pale at 0, dark at 1, clamped outside', () => {
    const w = weightScale('weight');
    expect(w.ink(0)).toBe('#111');
    expect(w.ink(1)).toBe('#fff');
    expect(w.fill(1.5)).toBe(w.fill(1));
  });

  it('maxAbs ignores −∞ and falls back to a unit scale for all-zero input', () => {
    expect(maxAbs([[1, -3, -Infinity], [2]])).toBe(3);
    expect(divergingScale('x', maxAbs([[0, -Infinity]])).domain).toEqual([-1, 1]);
  });

  it('byteAxis maps 0..max onto the bar width; stepLabel counts from 1', () => {
    const x = byteAxis(200, 400);
    expect(x(50)).toBe(100);
    expect(x(200)).toBe(400);
    expect(stepLabel(0, 1234)).toBe('step 1 of 1,234');
  });
});
