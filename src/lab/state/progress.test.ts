/** The run's progress bar and line: warm-up with an ETA, and a time budget that fills with time. */
import { describe, expect, it } from 'vitest';
import { progressLine } from '../lib/format.ts';
import { progressFraction } from './run.svelte.ts';

const base = { samples: 0, elapsedMs: 2000, medianMs: null, expected: null };

describe('run progress', () => {
  it('fills a time budget with the time spent timing, not the sample count', () => {
    const stop = { kind: 'time' as const, budgetMs: 5000 };
    const at = (timingMs: number, samples: number): number | null =>
      progressFraction({ ...base, phase: 'timing', samples, timingMs }, stop, 100000);
    expect(at(1000, 400)).toBeCloseTo(0.2);
    expect(at(2500, 900)).toBeCloseTo(0.5);
    expect(at(7000, 3000)).toBe(1);
    expect(
      progressLine({
        phase: 'timing',
        samples: 900,
        expected: 100000,
        elapsedMs: 4100,
        warmup: null,
        budget: { spentMs: 2500, budgetMs: 5000 },
      }),
    ).toBe('timing · 900 samples · 2.5 s of 5.0 s budget');
  });

  it('shows warm-up launches of the plan with the time left', () => {
    const stop = { kind: 'count' as const, iterations: 200 };
    const warmup = { launches: 20, planned: 200, etaMs: 11700 };
    expect(progressFraction({ ...base, phase: 'warmup', warmup }, stop, 200)).toBeCloseTo(0.1);
    expect(
      progressLine({
        phase: 'warmup',
        samples: 0,
        expected: 200,
        elapsedMs: 2000,
        warmup,
        budget: null,
      }),
    ).toBe('warm-up · 20 / 200 launches · about 12 s left · 2.0 s');
    expect(progressFraction({ ...base, phase: 'checking' }, stop, 200)).toBeNull();
    expect(progressFraction({ ...base, phase: 'timing', samples: 50 }, stop, 200)).toBeCloseTo(
      0.25,
    );
  });
});
