import { describe, expect, it } from 'vitest';
import { floatToHalfBits, fromHalfArray, roundToHalf, toHalfArray } from './half.ts';
import { halfToFloat } from './npy.ts';

describe('f32 → f16 rounding', () => {
  it.each([
    [1, 0x3c00],
    [-2, 0xc000],
    [65504, 0x7bff],
    [65520, 0x7c00], // rounds up past the largest half: inf
    [1e6, 0x7c00],
    [2 ** -14, 0x0400], // smallest normal
    [2 ** -24, 0x0001], // smallest subnormal
    [2 ** -26, 0x0000], // below half the smallest subnormal: zero
    [-0, 0x8000],
    [1 + 2 ** -11, 0x3c00], // tie → even (down)
    [1 + 3 * 2 ** -11, 0x3c02], // tie → even (up)
    [0.1, 0x2e66],
    [Number.POSITIVE_INFINITY, 0x7c00],
  ])('rounds %d to 0x%s', (value, bits) => {
    expect(floatToHalfBits(value)).toBe(bits);
  });

  it('maps NaN to a quiet NaN', () => {
    expect(Number.isNaN(halfToFloat(floatToHalfBits(Number.NaN)))).toBe(true);
  });

  it('round-trips every finite half exactly', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const widened = fromHalfArray(all);
    const back = toHalfArray(widened);
    for (let h = 0; h < 65536; h++) {
      const exp = (h >> 10) & 0x1f;
      if (exp === 31 && (h & 0x3ff) !== 0) continue; // NaNs
      if (back[h] !== h)
        throw new Error(`half 0x${h.toString(16)} came back as 0x${(back[h] ?? 0).toString(16)}`);
    }
    expect(widened[0x3c00]).toBe(1);
  });

  it('rounds to the nearest half: error ≤ 2^-11 relative for normal values', () => {
    const values = new Float32Array([0.7853981, -0.33333334, 3.1415927, 123.456, -0.0009765625]);
    const rounded = roundToHalf(values);
    values.forEach((v, i) => {
      expect(Math.abs((rounded[i] ?? 0) - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11);
    });
    expect(rounded[0]).not.toBe(values[0]);
  });
});
