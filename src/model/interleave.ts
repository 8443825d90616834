/**
 * Merging the rounds of an interleaved A/B run into one result file per side: samples in run
 * order, the first round's check and environment, and a note saying how it was interleaved.
 */
import type { StatWarning } from '../stats/index.ts';
import type { ResultFile } from './result.ts';

/** How the note of a merged, interleaved result starts. */
const INTERLEAVED_NOTE = 'interleaved with ';

/** Whether the result was merged from interleaved rounds (its notes say so). */
export function isInterleaved(result: ResultFile): boolean {
  return result.timing.notes.some((n) => n.startsWith(INTERLEAVED_NOTE));
}

/**
 * The warning for two result files that were not merged from one interleaved run: each CI
 * covers the noise within its own run only. `how` says how to interleave where it is shown.
 * Null when both sides are interleaved.
 */
export function separateRunsWarning(
  baseline: ResultFile,
  candidate: ResultFile,
  how: string,
): StatWarning | null {
  if (isInterleaved(baseline) && isInterleaved(candidate)) return null;
  return {
    code: 'separate-runs',
    message: `Baseline and candidate were timed in separate runs: each CI covers the noise within its own run, not the difference between two runs of the same kernel (clocks, heat, other load), which can be a few percent. For a verdict that includes it, interleave them: ${how}.`,
  };
}

/** Combines one side's rounds (all completed) into a single result file; derived is left null. */
export function combineRounds(
  rounds: readonly ResultFile[],
  id: string,
  otherLabel: string,
): ResultFile {
  const first = rounds[0];
  if (first === undefined) throw new Error('combineRounds: no rounds to combine');
  const ms = rounds.flatMap((r) => r.samples.ms);
  const flags = rounds.map((r) => r.samples.throttled);
  const throttled = flags.every((f) => f !== undefined) ? flags.flat() : undefined;
  const perRound = rounds.map((r) => r.samples.ms.length);
  const peaks = rounds.map((r) => r.memory.peakBytes).filter((p): p is number => p !== null);
  return {
    ...first,
    id,
    samples: { ms, partial: false, ...(throttled ? { throttled } : {}) },
    clocks: rounds.flatMap((r) => r.clocks),
    memory: {
      ...first.memory,
      peakBytes: peaks.length > 0 ? Math.max(...peaks) : first.memory.peakBytes,
    },
    timing: {
      ...first.timing,
      stopRule: { kind: 'count', iterations: ms.length },
      notes: [
        ...first.timing.notes,
        `${INTERLEAVED_NOTE}${otherLabel} (ABAB…): ${rounds.length} rounds of ${perRound.join('/')} samples`,
      ],
    },
    derived: null,
    status: 'completed',
  };
}
