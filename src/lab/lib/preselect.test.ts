/** First-run preselection: the best browser kernel, then a runner's best native kernel. */
import { describe, expect, it } from 'vitest';
import { preselectTargets, type RankedGroup, type RankedOption } from './preselect.ts';

const RUNNER = 'ws://127.0.0.1:9000';

function option(
  origin: string,
  backend: string,
  kernel: string,
  unavailable: string | null = null,
): RankedOption {
  return { key: `${origin}|${backend}|${kernel}`, ref: { origin, backend, kernel }, unavailable };
}

const browser: RankedGroup = {
  key: 'browser',
  problem: null,
  options: [
    option('browser', 'webgpu', 'naive-f32'),
    option('browser', 'webgpu', 'flash-f32'),
    option('browser', 'webgpu', 'flash-f16', 'no f32 (has f16)'),
    option('browser', 'webgpu', 'flash-subgroup'),
    option('browser', 'webgpu', 'flash-sgmat-f32x3', 'needs subgroup matrices'),
  ],
};

const runner: RankedGroup = {
  key: RUNNER,
  problem: null,
  options: [
    option(RUNNER, 'cuda', 'flash-v1', 'no NVIDIA GPU found'),
    option(RUNNER, 'sdpa', 'flash', 'PyTorch is not installed'),
    option(RUNNER, 'dawn', 'flash-subgroup'),
    option(RUNNER, 'cpu', 'cpu-flash-f32'),
    option(RUNNER, 'cpu', 'cpu-naive-f32'),
  ],
};

describe('preselectTargets', () => {
  it('picks the most tuned available browser kernel and the runner’s best native kernel, browser first', () => {
    expect(preselectTargets([runner, browser])).toEqual([
      'browser|webgpu|flash-subgroup',
      `${RUNNER}|cpu|cpu-flash-f32`,
    ]);
  });

  it('does not preselect a decode specialist listed after the general kernels', () => {
    const withDecode: RankedGroup = {
      ...browser,
      options: [...browser.options, option('browser', 'webgpu', 'flash-decode-f32')],
    };
    expect(preselectTargets([withDecode])).toEqual(['browser|webgpu|flash-subgroup']);
  });

  it('prefers CUDA, and its auto kernel, over the CPU when the runner has a GPU', () => {
    const gpu: RankedGroup = {
      ...runner,
      options: [
        option(RUNNER, 'cuda', 'naive-f32'),
        option(RUNNER, 'cuda', 'flash-auto'),
        option(RUNNER, 'cuda', 'flash-v6'),
        option(RUNNER, 'sdpa', 'flash'),
        option(RUNNER, 'cpu', 'cpu-flash-f32'),
      ],
    };
    expect(preselectTargets([browser, gpu])).toEqual([
      'browser|webgpu|flash-subgroup',
      `${RUNNER}|cuda|flash-auto`,
    ]);
  });

  it('picks nothing from engines that are still starting or have nothing available', () => {
    expect(
      preselectTargets([
        { ...browser, problem: 'starting WebGPU…' },
        { ...runner, problem: 'connecting…' },
      ]),
    ).toEqual([]);
    const none: RankedGroup = {
      ...browser,
      options: browser.options.map((o) => ({ ...o, unavailable: 'no' })),
    };
    expect(preselectTargets([none, runner])).toEqual([`${RUNNER}|cpu|cpu-flash-f32`]);
  });
});
