/**
 * Merging the rounds of an interleaved A/B run into one result file per side: samples in run
 * order, the first round's check and environment, and a note saying how it was interleaved.
 */
import type { ResultFile } from '../../model/index.ts';

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
        `interleaved with ${otherLabel} (ABAB…): ${rounds.length} rounds of ${perRound.join('/')} samples`,
      ],
    },
    derived: null,
    status: 'completed',
  };
}
