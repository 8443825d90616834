import { describe, expect, it } from 'vitest';
import { equivalenceBand, verdictFromSpeedupCI } from './verdict.ts';

describe('verdict from the speedup CI and the ±2% margin', () => {
  it('follows the documented rule', () => {
    // band for m = 0.02: [1/1.02, 1.02] = [0.98039…, 1.02]
    expect(verdictFromSpeedupCI([0.99, 1.01])).toBe('same');
    expect(verdictFromSpeedupCI([1 / 1.02, 1.02])).toBe('same'); // the band's edges are inside
    expect(verdictFromSpeedupCI([1.005, 1.015])).toBe('same'); // excludes 1 but too small to matter
    expect(verdictFromSpeedupCI([1.01, 1.03])).toBe('faster');
    expect(verdictFromSpeedupCI([1.2, 1.4])).toBe('faster');
    expect(verdictFromSpeedupCI([0.9, 0.99])).toBe('slower');
    expect(verdictFromSpeedupCI([0.97, 1.01])).toBe('inconclusive');
    expect(verdictFromSpeedupCI([0.8, 1.3])).toBe('inconclusive');
  });

  it('uses the given margin', () => {
    expect(verdictFromSpeedupCI([1.01, 1.03], 0.05)).toBe('same');
    expect(verdictFromSpeedupCI([1.001, 1.002], 0)).toBe('faster');
    expect(equivalenceBand(0.25)).toEqual([0.8, 1.25]);
    expect(() => equivalenceBand(-0.1)).toThrow(/margin/);
  });
});
