/**
 * The plain-language paragraph of a comparison, fit to quote in a paper. Only formats numbers that
 * `compare()` has already computed; it computes no statistic itself.
 */

import type { CiMethod, Interval } from './bootstrap.ts';
import type { Description } from './describe.ts';
import type { MannWhitneyResult } from './mannwhitney.ts';
import { equivalenceBand, type Verdict } from './verdict.ts';

/** Everything the paragraph reports: the computed figures plus how they were computed. */
export interface SummaryInput {
  /** Baseline descriptives and the CI of its median. */
  baseline: Description & { ci: Interval };
  /** Candidate descriptives and the CI of its median. */
  candidate: Description & { ci: Interval };
  /** Speedup = baseline median / candidate median, with its CI. */
  speedup: { estimate: number; ci: Interval };
  /** Hodges–Lehmann shift (baseline − candidate), in the samples' unit. */
  hodgesLehmann: number;
  /** Hedges' g (baseline-first). */
  hedgesG: number;
  /** Cliff's δ (baseline-first). */
  cliffsDelta: number;
  /** Mann-Whitney U test. */
  mannWhitney: MannWhitneyResult;
  /** The verdict. */
  verdict: Verdict;
  /** Why a guard forced 'inconclusive', or null. */
  verdictReason: string | null;
  /** The runs solve different problems and the caller allowed comparing them. */
  crossConfig: boolean;
  /** Confidence level of all CIs. */
  confidence: number;
  /** Bootstrap resamples behind the CIs. */
  resamples: number;
  /** Bootstrap CI method. */
  method: CiMethod;
  /** Practical-equivalence margin m (band [1/(1 + m), 1 + m]). */
  margin: number;
  /** Unit of the samples, e.g. 'ms'. */
  unit: string;
  /** Names of the two sides, as the paragraph should call them. */
  labels: { baseline: string; candidate: string };
}

/** Below this many samples on either side the paragraph warns that bootstrap CIs are unreliable. */
export const SMALL_N = 10;

const SUPERSCRIPT: Record<string, string> = {
  '-': '⁻',
  '0': '⁰',
  '1': '¹',
  '2': '²',
  '3': '³',
  '4': '⁴',
  '5': '⁵',
  '6': '⁶',
  '7': '⁷',
  '8': '⁸',
  '9': '⁹',
};

/** Decimals that show a CI of this width to two significant digits (4 significant if width 0). */
export function decimalsForWidth(width: number, value: number): number {
  const ref = width > 0 ? width : Math.abs(value) / 100;
  if (!(ref > 0)) {
    return 0;
  }
  return Math.min(12, Math.max(0, 1 - Math.floor(Math.log10(ref))));
}

/** x with d decimals; negative zero prints as 0. */
export function fixed(x: number, d: number): string {
  const s = x.toFixed(d);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** A p-value: two significant digits, scientific (× 10ⁿ) below 0.001. */
export function formatP(p: number): string {
  if (p === 0) {
    return '< 10⁻³⁰⁰';
  }
  if (p >= 0.001) {
    return `= ${p.toPrecision(2)}`;
  }
  const [mant = '', exp = ''] = p.toExponential(1).split('e');
  const sup = String(Number(exp)).replace(/[-0-9]/g, (ch) => SUPERSCRIPT[ch] ?? ch);
  return `= ${mant} × 10${sup}`;
}

/** An integer with comma thousands separators (locale-independent, so output is reproducible). */
export function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A percentage such as 2% or 95% (at most three significant digits, no trailing zeros). */
function percent(x: number): string {
  return `${Number((x * 100).toPrecision(3))}%`;
}

function ci(interval: Interval, d: number): string {
  return `[${fixed(interval[0], d)}, ${fixed(interval[1], d)}]`;
}

function verdictSentence(s: SummaryInput, d: number): string {
  const bandText = `the ±${percent(s.margin)} equivalence band ${ci(equivalenceBand(s.margin), Math.max(d, 3))}`;
  if (s.verdictReason !== null) {
    return `Verdict: inconclusive — ${s.verdictReason}; the speedup CI is not taken at face value.`;
  }
  const cross = s.crossConfig
    ? ' (cross-config comparison: the runs solve different problems)'
    : '';
  return verdictBody(s, bandText) + cross;
}

/** The verdict sentence when the speedup CI alone decided it. */
function verdictBody(s: SummaryInput, bandText: string): string {
  const { baseline: b, candidate: c } = s.labels;
  const band = equivalenceBand(s.margin);
  const [lo, hi] = s.speedup.ci;
  switch (s.verdict) {
    case 'same':
      return `Verdict: same — the whole speedup CI lies within ${bandText}, so any difference is smaller than the practical margin.`;
    case 'faster':
      return `Verdict: faster — the speedup CI lies entirely above 1${
        lo < band[1]
          ? `, though it reaches into ${bandText}, so the gain may be smaller than the margin`
          : ` and above ${bandText}`
      }: ${c} is faster than ${b}.`;
    case 'slower':
      return `Verdict: slower — the speedup CI lies entirely below 1${
        hi > band[0]
          ? `, though it reaches into ${bandText}, so the loss may be smaller than the margin`
          : ` and below ${bandText}`
      }: ${c} is slower than ${b}.`;
    case 'inconclusive':
      return `Verdict: inconclusive — the speedup CI contains 1 and reaches outside ${bandText}, so these data neither show a difference nor rule out one larger than the margin; more samples are needed.`;
  }
}

/** The paragraph for a comparison, e.g. for a paper's results section or a CLI report. */
export function summarize(s: SummaryInput): string {
  const { baseline: bl, candidate: cl } = s.labels;
  const conf = percent(s.confidence);
  const dm = Math.max(
    decimalsForWidth(s.baseline.ci[1] - s.baseline.ci[0], s.baseline.median),
    decimalsForWidth(s.candidate.ci[1] - s.candidate.ci[0], s.candidate.median),
  );
  const ds = Math.max(2, decimalsForWidth(s.speedup.ci[1] - s.speedup.ci[0], s.speedup.estimate));
  const side = (d: Description & { ci: Interval }): string =>
    `${fixed(d.median, dm)} ${s.unit} (${conf} CI ${ci(d.ci, dm)} ${s.unit}, n = ${grouped(d.n)})`;
  const method = s.method === 'bca' ? 'BCa' : 'percentile';
  const u = Number.isInteger(s.mannWhitney.u)
    ? grouped(s.mannWhitney.u)
    : s.mannWhitney.u.toFixed(1);
  const test =
    s.mannWhitney.method === 'exact'
      ? 'exact'
      : 'normal approximation with tie and continuity corrections';
  return [
    `Median time: ${bl} ${side(s.baseline)}; ${cl} ${side(s.candidate)}.`,
    `Speedup (median of ${bl} / median of ${cl}): ${fixed(s.speedup.estimate, ds)}× (${conf} CI ${ci(s.speedup.ci, ds)}; ${method} bootstrap, ${grouped(s.resamples)} resamples).`,
    `Hodges–Lehmann shift ${fixed(s.hodgesLehmann, dm)} ${s.unit}; Hedges' g = ${fixed(s.hedgesG, 2)}; Cliff's δ = ${fixed(s.cliffsDelta, 2)}; Mann–Whitney U = ${u}, two-sided p ${formatP(s.mannWhitney.p)} (${test}).`,
    verdictSentence(s, ds),
    ...(Math.min(s.baseline.n, s.candidate.n) < SMALL_N
      ? [
          `Caution: with fewer than ${SMALL_N} samples on a side, bootstrap intervals are unreliable (typically too narrow); collect more samples before relying on this verdict.`,
        ]
      : []),
  ].join(' ');
}
