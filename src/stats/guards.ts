/**
 * Guards between the speedup CI and the verdict: conditions under which the CI cannot be taken at
 * face value (too few samples, different problems, a timer too coarse to see the difference,
 * drift), and the warnings that explain them.
 */

import type { Interval } from './bootstrap.ts';
import { configDifferences, describeDifferences, type ProblemConfig } from './config-diff.ts';
import type { SideDiagnostics } from './diagnostics.ts';
import type { Verdict } from './verdict.ts';
import { MIN_SAMPLES, warningsFromDiagnostics, type StatWarning } from './warnings.ts';

/** The configs and permission `guardVerdict` reads from `compare()`'s options. */
export interface GuardOptions {
  /** Baseline problem config, defaults filled in. */
  baselineConfig?: ProblemConfig | undefined;
  /** Candidate problem config, defaults filled in. */
  candidateConfig?: ProblemConfig | undefined;
  /** Judge differing configs anyway (labelled cross-config). */
  allowDifferentConfig?: boolean | undefined;
}

/** The verdict after the guards, why it was forced (or null), and every warning. */
export interface GuardedVerdict {
  /** Final verdict. */
  verdict: Verdict;
  /** Why a guard made it 'inconclusive'; null when the CI decided. */
  reason: string | null;
  /** The configs differ and the caller allowed the comparison. */
  crossConfig: boolean;
  /** Warnings, most serious first. */
  warnings: StatWarning[];
}

/**
 * Drift inside a run says the level it measured depends on when it was measured; a run made
 * earlier or later would have seen a level shifted by about as much. Widen the speedup CI by the
 * relative drift of each drifting side (multiplicatively, both ways): an honest allowance that
 * does not pretend to know the direction. Interleaved runs avoid the problem altogether.
 */
export function widenForDrift(ci: Interval, b: SideDiagnostics, c: SideDiagnostics): Interval {
  const w = 1 + (b.drifting ? Math.abs(b.drift) : 0) + (c.drifting ? Math.abs(c.drift) : 0);
  return w > 1 ? [ci[0] / w, ci[1] * w] : ci;
}

/** Applies the guards to `verdict` in order of seriousness; the first that applies gives the reason. */
export function guardVerdict(
  verdict: Verdict,
  b: SideDiagnostics,
  c: SideDiagnostics,
  options: GuardOptions,
): GuardedVerdict {
  const warnings: StatWarning[] = [];
  // The first guard that applies gives the reason.
  const reasons: string[] = [];
  const force = (why: string): void => {
    reasons.push(why);
  };

  let crossConfig = false;
  if (options.baselineConfig !== undefined && options.candidateConfig !== undefined) {
    const diffs = configDifferences(options.baselineConfig, options.candidateConfig);
    if (diffs.length > 0) {
      const what = describeDifferences(diffs);
      crossConfig = options.allowDifferentConfig === true;
      warnings.push({
        code: 'different-config',
        message: crossConfig
          ? `Cross-config comparison: the two runs solve different problems (${what}); the verdict compares the runs, not kernels on one problem.`
          : `The two runs solve different problems (${what}); their times are not comparable. Allow a cross-config comparison explicitly to judge them anyway.`,
      });
      if (!crossConfig) {
        force(`different configs (${what})`);
      }
    }
  }

  const nMin = Math.min(b.n, c.n);
  if (nMin < MIN_SAMPLES) {
    force(`too few samples (n = ${nMin} on a side; at least ${MIN_SAMPLES} needed)`);
  }
  if (verdict === 'same' && (b.quantized || c.quantized)) {
    // Both medians sit on the timer's grid, so a zero-width CI says nothing about differences
    // below one step: 'same' would be the timer talking, not the kernels.
    const step = Math.max(b.quantized ? b.resolution : 0, c.quantized ? c.resolution : 0);
    force(
      step > 0
        ? `timer resolution (steps of ${Number(step.toPrecision(3))} ms hide differences within the margin)`
        : 'timer resolution (identical times: the timer cannot see differences within the margin)',
    );
  }

  warnings.push(
    ...warningsFromDiagnostics(b, 'baseline'),
    ...warningsFromDiagnostics(c, 'candidate'),
  );
  const reason = reasons[0] ?? null;
  return { verdict: reason === null ? verdict : 'inconclusive', reason, crossConfig, warnings };
}
