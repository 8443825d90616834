/** `attnlab run --callable/--python`: the flags become a validated user kernel or a clear refusal. */
import { describe, expect, it } from 'vitest';
import { userKernelFromCallable } from './run.ts';

describe('--callable', () => {
  it('gives the python backend (and sdpa) a validated callable', () => {
    expect(userKernelFromCallable({ backend: 'python', callable: 'pkg.mod:attn' })).toEqual({
      language: 'python',
      callable: 'pkg.mod:attn',
    });
    expect(userKernelFromCallable({ backend: 'sdpa', callable: 'm:f' })?.language).toBe('python');
    expect(userKernelFromCallable({ backend: 'sdpa' })).toBeUndefined();
  });

  it('refuses what cannot work, naming the flag', () => {
    expect(() => userKernelFromCallable({ backend: 'python' })).toThrow(
      '--callable: --backend python needs --callable pkg.module:function',
    );
    expect(() => userKernelFromCallable({ backend: 'python', callable: 'pkg.mod.fn' })).toThrow(
      '--callable: must be pkg.module:function (Python identifiers) (got "pkg.mod.fn")',
    );
    expect(() => userKernelFromCallable({ backend: 'cuda', callable: 'm:f' })).toThrow(
      '--callable: only for --backend python (or sdpa), not cuda',
    );
    expect(() => userKernelFromCallable({ backend: 'webgpu', python: '/usr/bin/python3' })).toThrow(
      '--python: only for --backend python or sdpa, not webgpu',
    );
  });
});
