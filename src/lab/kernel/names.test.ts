import { describe, expect, it } from 'vitest';
import {
  builtinIdMessage,
  configKey,
  freeName,
  nameProblem,
  sanitizeName,
  uniqueName,
} from './names.ts';

describe('kernel names', () => {
  it('makes file stems and link names valid', () => {
    expect(sanitizeName('My Kernel (v2).wgsl')).toBe('My-Kernel-v2-');
    expect(sanitizeName('..')).toBe('kernel');
    expect(nameProblem(sanitizeName('  ünïcode name!.wgsl'))).toBeNull();
  });

  it('picks the first free suffix, never a built-in id', () => {
    expect(uniqueName('a', ['a', 'a-2'])).toBe('a-3');
    expect(uniqueName('b', ['a'])).toBe('b');
    expect(freeName('flash-f32', [])).toBe('flash-f32-2');
    expect(freeName('mine', ['mine'])).toBe('mine-2');
  });

  it('refuses names that are not ids, or are a built-in id', () => {
    expect(nameProblem('ok.name_1-x')).toBeNull();
    expect(nameProblem('-x')).toMatch(/^Name: letters/);
    expect(nameProblem('a'.repeat(49))).toMatch(/^Name: letters/);
    expect(nameProblem('naive-f32')).toMatch(/is a built-in kernel's id/);
  });

  it('keys configs independently of field order', () => {
    const a = { batch: 1, heads: 2, seqLen: 3, headDim: 8, causal: false, dtype: 'f32' as const };
    const b = { dtype: 'f32' as const, causal: false, headDim: 8, seqLen: 3, heads: 2, batch: 1 };
    expect(configKey(a)).toBe(configKey(b));
    expect(configKey({ ...a, causal: true })).not.toBe(configKey(a));
    expect(configKey(null)).toBeNull();
  });

  it('puts an error at the header line when id= names a built-in kernel', () => {
    const source = 'struct Params {}\n// @attnlab like=flash-f32 id=flash-f32\nfn main() {}';
    expect(builtinIdMessage('flash-f32', source, 'user')).toEqual({
      type: 'error',
      file: 'user',
      line: 2,
      column: 28,
      message: expect.stringMatching(/^@attnlab id=flash-f32 is a built-in kernel's id/) as unknown,
    });
    expect(builtinIdMessage('my-flash', source, 'user')).toBeNull();
  });
});
