/** `--vs`: rounds alternate A then B, split the samples evenly, and merge per side. */
import { describe, expect, it } from 'vitest';
import { exampleResult } from '../model/example.ts';
import { readResult, type DirectRunOptions, type DirectRunner } from '../model/index.ts';
import { CliError } from './errors.ts';
import { roundSizes, runInterleavedAb } from './run-ab.ts';

/** A runner that records each call and answers `iterations` samples of kernel-specific times. */
function fakeRunner(failAt?: { call: number; status: 'failed' | 'cancelled' }): {
  runner: DirectRunner;
  calls: DirectRunOptions[];
} {
  const calls: DirectRunOptions[] = [];
  const runner: DirectRunner = (options) => {
    calls.push(options);
    const n = options.stop.kind === 'count' ? options.stop.iterations : 0;
    const base = options.kernel === 'a' ? 2 : 1;
    const ms = Array.from({ length: n }, (_, i) => base + calls.length * 0.01 + i * 1e-4);
    const failed = failAt?.call === calls.length;
    const result = readResult(
      exampleResult(ms, {
        id: `run-${calls.length}`,
        target: { backend: 'dawn', kernel: options.kernel, kernelParams: {} },
        ...(failed
          ? {
              status: failAt.status,
              error: { code: 'correctness-failed', message: 'rel L2 0.3 > 1e-5' },
            }
          : {}),
      }),
    );
    return Promise.resolve({ result });
  };
  return { runner, calls };
}

const shared = { config: exampleResult([1]).config, cache: 'cold' as const, warmup: undefined };
const a = { kernel: 'a', label: 'webgpu/a' };
const b = { kernel: 'b', label: 'webgpu/b' };

describe('roundSizes', () => {
  it('splits the samples as evenly as they go, larger rounds last', () => {
    expect(roundSizes(100, 5)).toEqual([20, 20, 20, 20, 20]);
    expect(roundSizes(12, 5)).toEqual([2, 2, 2, 3, 3]);
    expect(roundSizes(7, 2)).toEqual([3, 4]);
  });
});

describe('runInterleavedAb', () => {
  it('alternates A then B with fresh inputs per round and merges each side in run order', async () => {
    const { runner, calls } = fakeRunner();
    const seen: string[] = [];
    const out = await runInterleavedAb({
      runner,
      shared,
      a,
      b,
      rounds: 3,
      samples: 7,
      seed: 40,
      onRound: (round, side) => seen.push(`${round}${side}`),
    });
    expect(seen).toEqual(['1A', '1B', '2A', '2B', '3A', '3B']);
    expect(calls.map((c) => c.kernel)).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
    expect(calls.map((c) => c.seed)).toEqual([41, 41, 42, 42, 43, 43]);
    expect(calls.map((c) => c.stop)).toEqual(
      [2, 2, 2, 2, 3, 3].map((iterations) => ({ kind: 'count', iterations })),
    );
    for (const [side, r] of [
      ['a', out.a],
      ['b', out.b],
    ] as const) {
      readResult(JSON.parse(JSON.stringify(r)));
      expect(r.target.kernel).toBe(side);
      expect(r.samples.ms).toHaveLength(7);
      expect(r.timing.stopRule).toEqual({ kind: 'count', iterations: 7 });
      expect(r.derived?.medianMs).toBeCloseTo(side === 'a' ? 2.03 : 1.04, 2);
    }
    expect(out.a.samples.ms[0]).toBeCloseTo(2.01, 6); // call 1
    expect(out.a.samples.ms[2]).toBeCloseTo(2.03, 6); // call 3
    expect(out.b.timing.notes).toContain(
      'interleaved with webgpu/a (ABAB…): 3 rounds of 2/2/3 samples',
    );
    expect(out.a.id).not.toBe(out.b.id);
  });

  it('stops at a round that does not complete, naming the side, the round and the reason', async () => {
    const { runner, calls } = fakeRunner({ call: 4, status: 'failed' });
    const run = runInterleavedAb({ runner, shared, a, b, rounds: 3, samples: 9, seed: 1 });
    await expect(run).rejects.toThrow('webgpu/b failed in round 2 of 3: rel L2 0.3 > 1e-5');
    await expect(run).rejects.toBeInstanceOf(CliError);
    expect(calls).toHaveLength(4);
  });

  it('refuses too few rounds or samples, naming the flag and the range', async () => {
    const { runner, calls } = fakeRunner();
    await expect(
      runInterleavedAb({ runner, shared, a, b, rounds: 1, samples: 100, seed: 1 }),
    ).rejects.toThrow('--rounds: expected an integer in 2..100, got 1');
    await expect(
      runInterleavedAb({ runner, shared, a, b, rounds: 5, samples: 9, seed: 1 }),
    ).rejects.toThrow(
      '--iterations: an interleaved run needs at least 2 samples per round (10 for 5 rounds), got 9',
    );
    expect(calls).toHaveLength(0);
  });
});
