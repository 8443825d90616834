import { describe, expect, it } from 'vitest';
import { formatMs, sig } from './format.ts';

describe('formatMs', () => {
  it('picks s, ms, µs or ns so the figure reads without float noise', () => {
    expect(formatMs(1234)).toBe('1.234 s');
    expect(formatMs(12.3456)).toBe('12.35 ms');
    expect(formatMs(2.8)).toBe('2.800 ms');
    expect(formatMs(0.0123456)).toBe('12.35 µs');
    // A 1 ns timestamp quantum printed "0.001000 µs" before.
    expect(formatMs(1e-6)).toBe('1 ns');
    expect(formatMs(2.5e-4)).toBe('250 ns');
    expect(formatMs(8.3e-5)).toBe('83 ns');
    expect(formatMs(0)).toBe('0 ms');
    expect(formatMs(-12.3456)).toBe('-12.35 ms');
    expect(formatMs(Number.NaN)).toBe('—');
    expect(formatMs(Infinity)).toBe('—');
  });

  it('moves to the larger unit where 4-digit rounding would carry into it', () => {
    expect(formatMs(999.94)).toBe('999.9 ms');
    expect(formatMs(999.96)).toBe('1.000 s');
    expect(formatMs(0.99994)).toBe('999.9 µs');
    expect(formatMs(0.99996)).toBe('1.000 ms');
    expect(formatMs(9.9994e-4)).toBe('999.9 ns');
    expect(formatMs(9.9996e-4)).toBe('1.000 µs');
  });
});

describe('sig', () => {
  it('keeps the digits asked for, with exponents only outside 1e-3..1e6', () => {
    expect(sig(0.012345)).toBe('0.0123');
    expect(sig(123456, 2)).toBe('120000');
    expect(sig(2e-5)).toBe('2.00e-5');
    expect(sig(0)).toBe('0');
    expect(sig(Number.NaN)).toBe('—');
  });
});
