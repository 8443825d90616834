/**
 * `directRunner` as `attnlab run` uses it: progress, cancel through an AbortSignal with partial
 * samples kept, refusals with clear errors.
 */
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/model/index.ts';
import type { RunProgress } from '../../src/model/index.ts';
import { RunnerError } from './backend.ts';
import { directRunner } from './direct.ts';

const config = validateConfig({
  batch: 1,
  heads: 2,
  seqLen: 96,
  headDim: 32,
  causal: true,
  dtype: 'f32',
});

describe('directRunner', () => {
  it('reports progress through the phases and stops on a time budget', async () => {
    const progress: RunProgress[] = [];
    const { result, output } = await directRunner('cpu')({
      config,
      kernel: 'cpu-flash-f32',
      stop: { kind: 'time', budgetMs: 400 },
      cache: 'warm',
      seed: 2,
      onProgress: (p) => progress.push(p),
    });
    expect(result.status).toBe('completed');
    expect(output).toBeUndefined();
    expect(result.timing.stopRule).toEqual({ kind: 'time', budgetMs: 400 });
    expect(result.samples.ms.length).toBeGreaterThan(1);
    const phases = progress.map((p) => p.phase);
    for (const phase of ['compiling', 'checking', 'warmup', 'timing'])
      expect(phases).toContain(phase);
    expect(progress.at(-1)?.samples).toBeGreaterThan(0);
  });

  it('an abort cancels the run and keeps the samples so far', async () => {
    const controller = new AbortController();
    const t0 = performance.now();
    const run = directRunner('cpu')({
      config,
      kernel: 'cpu-naive-f32',
      stop: { kind: 'time', budgetMs: 60_000 },
      cache: 'warm',
      seed: 2,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.samples >= 5) controller.abort();
      },
    });
    const { result } = await run;
    expect(performance.now() - t0).toBeLessThan(30_000);
    expect(result.status).toBe('cancelled');
    expect(result.error).toEqual({ code: 'cancelled', message: 'cancelled by the user' });
    expect(result.samples.partial).toBe(true);
    expect(result.samples.ms.length).toBeGreaterThanOrEqual(5);
  });

  it('refuses inputs of the wrong size and unknown backends', async () => {
    const short = new Float32Array(10).fill(0.5);
    await expect(
      directRunner('cpu')({
        config,
        kernel: 'cpu-flash-f32',
        stop: { kind: 'count', iterations: 1 },
        cache: 'warm',
        seed: 1,
        inputs: { q: short, k: short, v: short },
      }),
    ).rejects.toThrow(/inputs.q: has 10 values; B·H·S·D = 6144/);
    expect(() => directRunner('tpu')).toThrow(RunnerError);
  });
});
