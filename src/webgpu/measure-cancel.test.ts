/**
 * Warm-up progress and Cancel on a fake GPU whose launches take 65 ms of a fake clock (the
 * issue's S = 1024 on SwiftShader): Cancel stops within one launch, and progress has an ETA.
 */
import { describe, expect, it } from 'vitest';
import type { Launcher } from './buffers.ts';
import type { DeviceWatch } from './device.ts';
import { measure, nextChunk, warmupLeft, type WarmupProgress } from './measure.ts';

const LAUNCH_MS = 65;

/** A device whose queue takes LAUNCH_MS per launch encoded since the last submit. */
function fakeGpu() {
  const clock = { ms: 0, launches: 0 };
  let encoded = 0;
  const pass = { end: () => undefined } as unknown as GPUComputePassEncoder;
  const device = {
    createCommandEncoder: () => ({
      beginComputePass: () => pass,
      finish: () => ({}),
    }),
    queue: {
      submit: () => undefined,
      onSubmittedWorkDone: () => {
        clock.ms += encoded * LAUNCH_MS;
        clock.launches += encoded;
        encoded = 0;
        return Promise.resolve();
      },
    },
  } as unknown as GPUDevice;
  const launcher: Launcher = {
    encode: (_pass, launches) => {
      encoded += launches;
    },
  };
  // Each read moves the clock a hair, as a real one does (the resolution probe needs it).
  const now = (): number => (clock.ms += 0.001);
  return { clock, device, launcher, now };
}

const watch = { check: () => undefined } as unknown as DeviceWatch;

describe('warm-up progress and Cancel', () => {
  it('plans the default warm-up and a fixed one with the time left', () => {
    expect(warmupLeft(undefined, 0, 0, 0)).toEqual({ launches: 0, planned: 5, etaMs: null });
    // 1 launch of 65 ms: 4 more by count, 3 more by the 200 ms floor → 4 left, 260 ms.
    expect(warmupLeft(undefined, 1, 65, 65)).toEqual({ launches: 1, planned: 5, etaMs: 260 });
    expect(warmupLeft(200, 20, 1300, 65)).toEqual({ launches: 20, planned: 200, etaMs: 11700 });
    // Submissions stay near 50 ms: slow launches go one at a time.
    expect(nextChunk(8, 65, 100)).toBe(1);
    expect(nextChunk(8, 1, 100)).toBe(16);
    expect(nextChunk(8, 0.01, 3)).toBe(3);
  });

  it('stops within one launch when cancelled during a 200-launch warm-up', async () => {
    const gpu = fakeGpu();
    const controller = new AbortController();
    const seen: WarmupProgress[] = [];
    let abortedAt = Number.NaN;
    const result = await measure({
      device: gpu.device,
      launcher: gpu.launcher,
      watch,
      timestamps: false,
      stop: { kind: 'count', iterations: 50 },
      warmup: 200,
      runtime: 'browser',
      signal: controller.signal,
      now: gpu.now,
      onPhase: () => undefined,
      onSamples: () => undefined,
      onWarmup: (p) => {
        seen.push(p);
        if (gpu.clock.ms >= 1000 && !controller.signal.aborted) {
          abortedAt = gpu.clock.ms;
          controller.abort();
        }
      },
    });
    expect(result.stopReason).toBe('cancelled');
    expect(result.ms).toEqual([]);
    // Aborted at ≈1 s; the engine was back within one more launch.
    expect(gpu.clock.ms - abortedAt).toBeLessThanOrEqual(LAUNCH_MS + 1);
    expect(gpu.clock.launches).toBeLessThan(20);
    // Progress came during the warm-up, with the plan and an ETA that shrinks.
    expect(seen.length).toBeGreaterThan(10);
    expect(seen.every((p) => p.planned === 200)).toBe(true);
    const etas = seen.map((p) => p.etaMs).filter((e): e is number => e !== null);
    expect(etas[0]).toBeCloseTo(199 * LAUNCH_MS, -1);
    expect(etas.at(-1)).toBeLessThan(etas[0] ?? 0);
  });
});
