/** Interleaved rounds merge into one result per side, in run order, saying how they were taken. */
import { describe, expect, it } from 'vitest';
import { exampleResult } from './example.ts';
import { readResult } from './result.ts';
import { combineRounds } from './interleave.ts';

describe('combineRounds', () => {
  it('concatenates samples and flags, keeps the first check and env, and notes the schedule', () => {
    const r1 = readResult(
      exampleResult([1.1, 1.2], {
        id: 'a1',
        samples: { ms: [1.1, 1.2], throttled: [false, true], partial: false },
      }),
    );
    const r2 = readResult(
      exampleResult([1.3, 1.0, 1.05], {
        id: 'a2',
        samples: { ms: [1.3, 1.0, 1.05], throttled: [false, false, false], partial: false },
        memory: { ...exampleResult([]).memory, peakBytes: 4096 },
      }),
    );
    const merged = readResult(combineRounds([r1, r2], 'ab-1', 'cpu · naive'));
    expect(merged.id).toBe('ab-1');
    expect(merged.samples.ms).toEqual([1.1, 1.2, 1.3, 1.0, 1.05]);
    expect(merged.samples.throttled).toEqual([false, true, false, false, false]);
    expect(merged.timing.stopRule).toEqual({ kind: 'count', iterations: 5 });
    expect(merged.timing.notes.at(-1)).toBe(
      'interleaved with cpu · naive (ABAB…): 2 rounds of 2/3 samples',
    );
    expect(merged.memory.peakBytes).toBe(4096);
    expect(merged.correctness).toEqual(r1.correctness);
    expect(merged.derived).toBeNull();
  });

  it('drops throttle flags when a round has none, and refuses zero rounds', () => {
    const a = readResult(
      exampleResult([1], { samples: { ms: [1], throttled: [true], partial: false } }),
    );
    const b = readResult(exampleResult([2]));
    expect(combineRounds([a, b], 'x', 'y').samples.throttled).toBeUndefined();
    expect(() => combineRounds([], 'x', 'y')).toThrow('combineRounds: no rounds to combine');
  });
});
