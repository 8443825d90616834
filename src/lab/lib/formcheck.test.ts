/** Live form validation: every bad field gets its own message with the allowed range. */
import { describe, expect, it } from 'vitest';
import { checkConfig, checkSeed, checkStop, deviceFit, kernelFits } from './formcheck.ts';
import type { Env, KernelInfo } from '../../model/index.ts';

const good = {
  batch: '2',
  heads: '4',
  seqLen: '256',
  headDim: '64',
  causal: true,
  dtype: 'f32' as const,
};

describe('checkConfig', () => {
  it('turns valid text fields into a validated config', () => {
    expect(checkConfig(good)).toEqual({
      ok: true,
      value: { batch: 2, heads: 4, seqLen: 256, headDim: 64, causal: true, dtype: 'f32' },
      errors: {},
    });
  });

  it('names each bad field with its range and what was typed', () => {
    const r = checkConfig({ ...good, batch: '', seqLen: '70000', headDim: '60', heads: 'four' });
    expect(r.ok).toBe(false);
    expect(r.errors).toEqual({
      batch: 'must be an integer in 1..4096 (got missing)',
      heads: 'must be an integer in 1..1024 (got "four")',
      seqLen: 'must be an integer in 1..65536 (got 70000)',
      headDim: 'must be a multiple of 8 in 8..256 (got 60)',
    });
  });
});

describe('checkStop', () => {
  it('reads the CI target in percent and the budget in seconds', () => {
    expect(
      checkStop({ kind: 'ci', iterations: '', ciPercent: '1.5', ciMax: '500', budgetS: '' }).value,
    ).toEqual({
      kind: 'ci',
      target: 0.015,
      maxIterations: 500,
    });
    expect(
      checkStop({ kind: 'time', iterations: '', ciPercent: '', ciMax: '', budgetS: '2.5' }).value,
    ).toEqual({
      kind: 'time',
      budgetMs: 2500,
    });
  });

  it('says what is wrong in the form’s own units', () => {
    expect(
      checkStop({ kind: 'count', iterations: '0', ciPercent: '', ciMax: '', budgetS: '' }).errors,
    ).toEqual({
      iterations: 'must be an integer in 1..100000 (got 0)',
    });
    expect(
      checkStop({ kind: 'ci', iterations: '', ciPercent: '60', ciMax: '5', budgetS: '' }).errors,
    ).toEqual({
      ciPercent: 'must be a percentage in (0, 50] (got 60)',
      ciMax: 'must be an integer in 10..100000 (got 5)',
    });
    expect(
      checkStop({ kind: 'time', iterations: '', ciPercent: '', ciMax: '', budgetS: 'soon' }).errors,
    ).toEqual({
      budgetS: 'must be in 0.001..3600 seconds (got "soon")',
    });
  });
});

describe('checkSeed', () => {
  it('accepts 0..2³²−1 and refuses the rest by name', () => {
    expect(checkSeed('4294967295').value).toBe(4294967295);
    expect(checkSeed('-1').errors).toEqual({
      seed: 'must be an integer in 0..4294967295 (got -1)',
    });
    expect(checkSeed('1.5').ok).toBe(false);
  });
});

describe('kernelFits and deviceFit', () => {
  const kernel: KernelInfo = {
    id: 'flash',
    description: '',
    dtypes: ['f32'],
    headDims: [32, 64],
    causal: false,
    available: true,
  };
  const config = {
    batch: 1,
    heads: 1,
    seqLen: 64,
    headDim: 64,
    causal: false,
    dtype: 'f32' as const,
  };

  it('says why a kernel cannot run a config', () => {
    expect(kernelFits(kernel, config)).toBeNull();
    expect(kernelFits(kernel, { ...config, dtype: 'f16' })).toBe(
      'Runs in f32 only, and this config is f16.',
    );
    expect(kernelFits(kernel, { ...config, headDim: 128 })).toBe(
      'Supports head dim D = 32 or 64 only, and this config has D = 128.',
    );
    expect(kernelFits(kernel, { ...config, causal: true })).toBe(
      'Has no causal masking, which this config asks for.',
    );
    expect(kernelFits({ ...kernel, available: false, reason: 'needs subgroups' }, config)).toBe(
      'Needs subgroups.',
    );
  });

  it('refuses a tensor larger than the adapter’s buffer limit, with both sizes', () => {
    const env: Env = {
      adapter: {
        vendor: 'v',
        architecture: 'a',
        device: 'd',
        description: '',
        features: [],
        limits: {
          maxStorageBufferBindingSize: 128 * 1024 * 1024,
          maxBufferSize: 256 * 1024 * 1024,
        },
      },
    };
    // 1·8·4096·256 f32 = 32 MiB: fits; 4·8·4096·256 = 128 MiB: fits exactly; 5× does not.
    expect(
      deviceFit({ ...config, heads: 8, seqLen: 4096, headDim: 256, batch: 4 }, 'webgpu', env),
    ).toBeNull();
    expect(
      deviceFit({ ...config, heads: 8, seqLen: 4096, headDim: 256, batch: 5 }, 'webgpu', env),
    ).toBe(
      'Too large for this device: one tensor needs 160.00 MiB, and the adapter allows 128.00 MiB per buffer.',
    );
    expect(deviceFit(config, 'webgpu', null)).toBeNull();
  });

  it('refuses a CUDA run larger than device memory', () => {
    const env: Env = { gpu: { name: 'Tiny GPU', memoryBytes: 512 * 1024 * 1024 } };
    expect(deviceFit({ ...config, batch: 64, heads: 16, seqLen: 4096 }, 'cuda', env)).toMatch(
      /^Too large for this device: it needs .* GiB, and the GPU has 512\.00 MiB\.$/,
    );
  });
});
