import { describe, expect, it } from 'vitest';
import { MatrixParseError, formatMatrix, parseMatrix } from './parse.ts';

describe('parseMatrix', () => {
  it('reads rows of space- or comma-separated numbers, one row per line', () => {
    expect(parseMatrix('Q', '1 2\n 3,4 \n\n−5 6e-1')).toEqual([
      [1, 2],
      [3, 4],
      [-5, 0.6],
    ]);
  });

  it('names the matrix, row and value that is not a number', () => {
    expect(() => parseMatrix('K', '1 2\n3 x')).toThrow(MatrixParseError);
    expect(() => parseMatrix('K', '1 2\n3 x')).toThrow(/K: row 2 value 2 \("x"\) is not a number/);
    expect(() => parseMatrix('V', '  \n')).toThrow(/V: no rows/);
  });

  it('round-trips through formatMatrix exactly, f32 values included', () => {
    const rows = [
      [Math.fround(0.37), -1.25],
      [Math.fround(-0.01), 2],
    ];
    const back = parseMatrix('Q', formatMatrix(rows)).map((r) => r.map((x) => Math.fround(x)));
    expect(back).toEqual(rows);
    expect(formatMatrix([[0.5, -2]])).toBe('0.5 -2');
  });

  it('writes f32 values without float noise', () => {
    expect(formatMatrix([[Math.fround(0.44), Math.fround(-0.1), Math.fround(1 / 3)]])).toBe(
      '0.44 -0.1 0.33333334',
    );
  });
});
