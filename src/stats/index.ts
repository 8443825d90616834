/**
 * attnlab/stats — pure statistics for judging benchmark samples: descriptives, seeded bootstrap
 * CIs (percentile and BCa), speedup with CI, effect sizes, Mann-Whitney U, outliers, verdict.
 * No DOM, no Node APIs; named exports only.
 */

export { bootstrapCI } from './bootstrap.ts';
export type { BootstrapOptions, CiMethod, Interval, Statistic } from './bootstrap.ts';
export { compare } from './compare.ts';
export { configDifferences, describeDifferences } from './config-diff.ts';
export type { ConfigDifference, ProblemConfig } from './config-diff.ts';
export type { ComparisonResult, CompareOptions, SideSummary, Speedup } from './compare.ts';
export { describe, mean, median } from './describe.ts';
export type { Description } from './describe.ts';
export { cliffsDelta, hedgesG } from './effect.ts';
export { geomean, geomeanSpeedup } from './geomean.ts';
export { hodgesLehmann } from './hodges-lehmann.ts';
export { mannWhitney } from './mannwhitney.ts';
export type { MannWhitneyMethod, MannWhitneyResult } from './mannwhitney.ts';
export { normalCdf, normalQuantile } from './normal.ts';
export { tukeyFences, tukeyOutliers, tukeyOutliersSorted } from './outliers.ts';
export type { TukeyFences, TukeyOutliers } from './outliers.ts';
export { createRng, createRngFromState, DEFAULT_SEED, deriveSeed } from './prng.ts';
export type { Rng } from './prng.ts';
export { quantile, sortSamples } from './samples.ts';
export type { SampleInput, SortedSamples } from './samples.ts';
export { DEFAULT_MARGIN, equivalenceBand, verdictFromSpeedupCI } from './verdict.ts';
export type { Verdict } from './verdict.ts';
export { MIN_SAMPLES, noiseWarnings } from './warnings.ts';
export type { NoiseOptions, StatWarning, StatWarningCode } from './warnings.ts';
