/** How a user kernel reaches a harness's command line, per language. */
import { describe, expect, it } from 'vitest';
import type { JobRequest } from './backend.ts';
import { harnessArgs } from './driver.ts';
import { userKernelRecord } from './user-code.ts';

const base: JobRequest = {
  id: 'r',
  config: { batch: 1, heads: 2, seqLen: 9, headDim: 32, causal: true, dtype: 'f16' },
  kernel: 'mine',
  stop: { kind: 'count', iterations: 3 },
  cache: 'cold',
  seed: 1,
};

describe('user kernels on the harness command line', () => {
  it('WGSL: the file and --like go to the Dawn harness', () => {
    const args = harnessArgs(
      { ...base, userKernel: { language: 'wgsl', source: 'x', like: 'flash-f16', name: 'mine' } },
      { kernelFilePath: '/tmp/u/mine.wgsl' },
    );
    expect(args.slice(-4)).toEqual(['--kernel-file', '/tmp/u/mine.wgsl', '--like', 'flash-f16']);
    expect(args.slice(0, 2)).toEqual(['--kernel', 'mine']);
  });

  it('CUDA: the source was built into the harness, so only --kernel names it', () => {
    const args = harnessArgs(
      { ...base, userKernel: { language: 'cuda', source: 'x', name: 'mine' } },
      { kernelFilePath: '/tmp/u/mine.cu' },
    );
    expect(args).not.toContain('--kernel-file');
    expect(args.slice(0, 2)).toEqual(['--kernel', 'mine']);
  });

  it('Python: the callable goes to the harness', () => {
    const args = harnessArgs({ ...base, userKernel: { language: 'python', callable: 'pkg.m:fn' } });
    expect(args.slice(-2)).toEqual(['--callable', 'pkg.m:fn']);
  });

  it('records the source with its SHA-256, or the callable', () => {
    expect(userKernelRecord({ language: 'cuda', source: 'abc' })).toEqual({
      language: 'cuda',
      source: 'abc',
      sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    });
    expect(userKernelRecord({ language: 'python', callable: 'a:b' })).toEqual({
      language: 'python',
      callable: 'a:b',
    });
  });
});
