/** Tukey's outlier classes from the quartiles' fences (Tukey 1977, "Exploratory Data Analysis"). */

import {
  at,
  quantileUnchecked,
  sortSamples,
  type SampleInput,
  type SortedSamples,
} from './samples.ts';

/** The four Tukey fences, from numpy-'linear' quartiles Q1, Q3 and IQR = Q3 − Q1. */
export interface TukeyFences {
  /** Q1 − 3·IQR: below it a value is a severe ("far out") low outlier. */
  lowSevere: number;
  /** Q1 − 1.5·IQR: below it a value is at least a mild low outlier. */
  lowMild: number;
  /** Q3 + 1.5·IQR: above it a value is at least a mild high outlier. */
  highMild: number;
  /** Q3 + 3·IQR: above it a value is a severe ("far out") high outlier. */
  highSevere: number;
}

/**
 * Outlier counts per class; the classes do not overlap (a severe outlier is not also counted as
 * mild) and a value exactly on a fence is not an outlier of that class. A constant sample has
 * IQR = 0, all fences equal the constant, and no outliers.
 */
export interface TukeyOutliers {
  /** Values below `fences.lowSevere`. */
  severeLow: number;
  /** Values in [lowSevere, lowMild). */
  mildLow: number;
  /** Values in (highMild, highSevere]. */
  mildHigh: number;
  /** Values above `fences.highSevere`. */
  severeHigh: number;
  /** The fences the counts were taken against. */
  fences: TukeyFences;
}

/** Tukey's fences of sorted samples. */
export function tukeyFences(sorted: SortedSamples): TukeyFences {
  const q1 = quantileUnchecked(sorted, 0.25);
  const q3 = quantileUnchecked(sorted, 0.75);
  const iqr = q3 - q1;
  return {
    lowSevere: q1 - 3 * iqr,
    lowMild: q1 - 1.5 * iqr,
    highMild: q3 + 1.5 * iqr,
    highSevere: q3 + 3 * iqr,
  };
}

/** Tukey outlier classes of sorted samples. */
export function tukeyOutliersSorted(sorted: SortedSamples): TukeyOutliers {
  const fences = tukeyFences(sorted);
  const counts = { severeLow: 0, mildLow: 0, mildHigh: 0, severeHigh: 0 };
  for (let i = 0; i < sorted.length; i++) {
    const v = at(sorted, i);
    if (v < fences.lowSevere) {
      counts.severeLow++;
    } else if (v < fences.lowMild) {
      counts.mildLow++;
    } else if (v > fences.highSevere) {
      counts.severeHigh++;
    } else if (v > fences.highMild) {
      counts.mildHigh++;
    }
  }
  return { ...counts, fences };
}

/** Tukey outlier classes of `samples` (throws on empty or non-finite input). */
export function tukeyOutliers(samples: SampleInput): TukeyOutliers {
  return tukeyOutliersSorted(sortSamples(samples, 'samples'));
}
