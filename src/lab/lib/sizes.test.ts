/** The Sweep view's size list: lists and power-of-two ranges, refused outside the range. */
import { describe, expect, it } from 'vitest';
import { parseSizes } from './sizes.ts';

describe('parseSizes', () => {
  it('reads lists (sorted, deduplicated) and LO..HI ranges of powers of two', () => {
    expect(parseSizes('256, 64,128,64', 1, 65536)).toEqual({ ok: true, sizes: [64, 128, 256] });
    expect(parseSizes('64..1024', 1, 65536)).toEqual({
      ok: true,
      sizes: [64, 128, 256, 512, 1024],
    });
    expect(parseSizes('100..500', 1, 65536)).toEqual({ ok: true, sizes: [100, 200, 400] });
  });

  it('names the bad size and what is allowed', () => {
    const allowed =
      'a list like 64,128,256 or a range like 64..1024, each in 8..256, at most 16 sizes';
    expect(parseSizes('32,300', 8, 256)).toEqual({
      ok: false,
      error: `Sizes: 300 is not allowed; expected ${allowed}`,
    });
    expect(parseSizes('32,,64', 8, 256)).toEqual({
      ok: false,
      error: `Sizes: NaN is not allowed; expected ${allowed}`,
    });
    expect(parseSizes('', 8, 256)).toEqual({
      ok: false,
      error: `Sizes: missing; expected ${allowed}`,
    });
    expect(parseSizes('1..65536', 1, 65536)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^Sizes: 17 sizes/) as unknown,
    });
  });
});
