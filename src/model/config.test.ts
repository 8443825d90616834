import { describe, expect, it } from 'vitest';
import { ValidationError, configLabel, resolvedScale, validateConfig } from './index.ts';

const good = { batch: 2, heads: 4, seqLen: 77, headDim: 64, causal: true, dtype: 'f16' };

describe('validateConfig', () => {
  it('accepts a valid config and keeps every field', () => {
    expect(validateConfig(good)).toEqual(good);
  });

  it('names each bad field with its allowed range and the rejected value', () => {
    let error: unknown;
    try {
      validateConfig({
        batch: 0,
        heads: 1.5,
        seqLen: 65537,
        headDim: 12,
        causal: 'yes',
        dtype: 'f8',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const issues = (error as ValidationError).issues;
    expect(issues).toContain('config.batch: must be an integer in 1..4096 (got 0)');
    expect(issues).toContain('config.heads: must be an integer in 1..1024 (got 1.5)');
    expect(issues).toContain('config.seqLen: must be an integer in 1..65536 (got 65537)');
    expect(issues).toContain('config.headDim: must be a multiple of 8 in 8..256 (got 12)');
    expect(issues).toContain('config.causal: must be true or false (got "yes")');
    expect(issues).toContain('config.dtype: must be one of f32, f16, bf16 (got "f8")');
  });

  it('reports missing fields and rejects unknown ones', () => {
    expect(() => validateConfig({ ...good, seqLen: undefined })).toThrow(
      'config.seqLen: must be an integer in 1..65536 (got missing)',
    );
    expect(() => validateConfig({ ...good, window: 3 })).toThrow(/window/);
  });

  it('accepts the boundaries 1 and 65536 for S', () => {
    expect(validateConfig({ ...good, seqLen: 1 }).seqLen).toBe(1);
    expect(validateConfig({ ...good, seqLen: 65536 }).seqLen).toBe(65536);
  });

  it('rejects a non-positive or non-finite scale', () => {
    expect(() => validateConfig({ ...good, scale: 0 })).toThrow(
      'config.scale: must be a finite number > 0',
    );
    expect(() => validateConfig({ ...good, scale: Infinity })).toThrow('config.scale');
  });

  it('defaults the scale to 1/sqrt(D)', () => {
    expect(resolvedScale(validateConfig(good))).toBe(0.125);
    expect(resolvedScale(validateConfig({ ...good, scale: 0.5 }))).toBe(0.5);
  });

  it('labels configs for tables', () => {
    expect(configLabel(validateConfig(good))).toBe('B=2 H=4 S=77 D=64 f16 causal');
  });
});
