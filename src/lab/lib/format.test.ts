import { describe, expect, it } from 'vitest';
import { formatMs } from './format.ts';

describe('formatMs', () => {
  it('picks s, ms, µs or ns so the figure reads without float noise', () => {
    expect(formatMs(1234)).toBe('1.234 s');
    expect(formatMs(12.3456)).toBe('12.35 ms');
    expect(formatMs(0.0123456)).toBe('12.35 µs');
    // A 1 ns timestamp quantum printed "0.001000 µs" before.
    expect(formatMs(1e-6)).toBe('1 ns');
    expect(formatMs(8.3e-5)).toBe('83 ns');
    expect(formatMs(0)).toBe('0 ms');
    expect(formatMs(Number.NaN)).toBe('—');
  });
});
