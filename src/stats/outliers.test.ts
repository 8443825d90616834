import { describe, expect, it } from 'vitest';
import { tukeyOutliers } from './outliers.ts';

describe('Tukey outlier classes', () => {
  it('counts mild and severe outliers on each side against the 1.5/3 IQR fences', () => {
    // Quartiles of 1..9 plus the extremes below (numpy linear): see fences in the assertion.
    const xs = [-40, -9, 1, 2, 3, 4, 5, 6, 7, 8, 9, 17, 50];
    const r = tukeyOutliers(xs);
    // n = 13: Q1 = x[3] = 2, Q3 = x[9] = 8, IQR = 6.
    expect(r.fences).toEqual({ lowSevere: -16, lowMild: -7, highMild: 17, highSevere: 26 });
    // -40 < -16: severe low; -9 in [-16, -7): mild low; 17 sits on the fence: not an outlier;
    // 50 > 26: severe high.
    expect(r).toMatchObject({ severeLow: 1, mildLow: 1, mildHigh: 0, severeHigh: 1 });
  });

  it('finds none in a constant sample', () => {
    expect(tukeyOutliers([3, 3, 3])).toMatchObject({
      severeLow: 0,
      mildLow: 0,
      mildHigh: 0,
      severeHigh: 0,
    });
  });
});
