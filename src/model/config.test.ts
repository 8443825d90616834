import { describe, expect, it } from 'vitest';
import {
  ValidationError,
  configLabel,
  hasKvShape,
  kvHeadsOf,
  kvSeqLenOf,
  kvTensorElements,
  resolvedScale,
  validateConfig,
} from './index.ts';

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

  it('bounds the scale to 1e-4..1e4 (f16 scores) and says so', () => {
    for (const scale of [0, -1, Infinity, 1e-300, 1e300, 9.9e-5, 10_001]) {
      expect(() => validateConfig({ ...good, scale }), String(scale)).toThrow(
        'config.scale: must be a number in 0.0001..10000',
      );
    }
    expect(validateConfig({ ...good, scale: 1e-4 }).scale).toBe(1e-4);
    expect(validateConfig({ ...good, scale: 1e4 }).scale).toBe(1e4);
  });

  it('defaults the scale to 1/sqrt(D)', () => {
    expect(resolvedScale(validateConfig(good))).toBe(0.125);
    expect(resolvedScale(validateConfig({ ...good, scale: 0.5 }))).toBe(0.5);
  });

  it('labels configs for tables', () => {
    expect(configLabel(validateConfig(good))).toBe('B=2 H=4 S=77 D=64 f16 causal');
  });
});

describe('grouped-query and decode fields', () => {
  const base = { batch: 1, heads: 32, seqLen: 1, headDim: 128, causal: true, dtype: 'f16' };

  it('defaults Hkv to H and Skv to S when absent (files before result@1.1)', () => {
    const c = validateConfig(base);
    expect(kvHeadsOf(c)).toBe(32);
    expect(kvSeqLenOf(c)).toBe(1);
    expect(hasKvShape(c)).toBe(false);
    expect(kvTensorElements(c)).toBe(32 * 128);
  });

  it('accepts a Llama-3 decode shape and sizes K/V by Hkv and Skv', () => {
    const c = validateConfig({ ...base, kvHeads: 8, kvSeqLen: 8192 });
    expect(kvTensorElements(c)).toBe(8 * 8192 * 128);
    expect(hasKvShape(c)).toBe(true);
    expect(configLabel(c)).toBe('B=1 H=32 Hkv=8 S=1 Skv=8192 D=128 f16 causal');
  });

  it('rejects kvHeads that do not divide heads, naming the allowed values', () => {
    expect(() => validateConfig({ ...base, kvHeads: 5 })).toThrow(
      'config.kvHeads: must divide heads (32): one of 1, 2, 4, 8, 16, 32 (got 5)',
    );
  });

  it('bounds kvSeqLen to 1..1048576', () => {
    expect(() => validateConfig({ ...base, kvSeqLen: 0 })).toThrow(
      'config.kvSeqLen: must be an integer in 1..1048576 (got 0)',
    );
    expect(validateConfig({ ...base, kvSeqLen: 1_048_576 }).kvSeqLen).toBe(1_048_576);
    expect(() => validateConfig({ ...base, kvSeqLen: 1_048_577 })).toThrow(/kvSeqLen/);
  });
});
