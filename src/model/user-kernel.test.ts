import { describe, expect, it } from 'vitest';
import { exampleResult } from './example.ts';
import { readResult } from './result.ts';
import { userKernelSpecSchema } from './user-kernel.ts';

const issues = (value: unknown): string[] => {
  const parsed = userKernelSpecSchema.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('user kernel specs', () => {
  it('accepts the three kinds and refuses bad fields naming them', () => {
    expect(
      issues({ language: 'wgsl', source: 'fn f() {}', like: 'flash-f32', name: 'my' }),
    ).toEqual([]);
    expect(issues({ language: 'cuda', source: 'extern "C" int x;' })).toEqual([]);
    expect(issues({ language: 'python', callable: 'pkg.mod:fn' })).toEqual([]);
    expect(issues({ language: 'python', callable: 'pkg.mod.fn' })).toEqual([
      'callable: must be pkg.module:function (Python identifiers)',
    ]);
    expect(issues({ language: 'python', callable: 'os:system; rm' })).toHaveLength(1);
    expect(issues({ language: 'wgsl', source: '' })).toEqual(['source: must not be empty']);
    expect(issues({ language: 'wgsl', source: 'x', name: '../etc' })).toEqual([
      'name: letters, digits, ".", "_" or "-", at most 48 characters',
    ]);
    expect(issues({ language: 'wgsl', source: 'x', extra: 1 })).toHaveLength(1);
  });

  it('refuses sources over 256 KiB (bytes, not characters)', () => {
    const limit = 256 * 1024;
    expect(issues({ language: 'cuda', source: 'x'.repeat(limit) })).toEqual([]);
    // 'é' is two bytes in UTF-8: half the characters already reach the limit.
    expect(issues({ language: 'cuda', source: 'é'.repeat(limit / 2 + 1) })).toEqual([
      'source: must be at most 262144 bytes (256 KiB)',
    ]);
  });

  it('a result file keeps the user kernel (result@1.2) and a 1.1 reader field set stays valid', () => {
    const base = exampleResult([1.25, 1.5, 1.375]);
    const withUser = {
      ...base,
      target: {
        ...base.target,
        userKernel: {
          language: 'wgsl',
          source: 'fn f() {}',
          sha256: 'a'.repeat(64),
          like: 'flash-f32',
        },
      },
    };
    expect(readResult(JSON.parse(JSON.stringify(withUser))).target.userKernel?.like).toBe(
      'flash-f32',
    );
    const badHash = {
      ...withUser,
      target: { ...withUser.target, userKernel: { language: 'wgsl', sha256: 'XYZ' } },
    };
    expect(() => readResult(badHash)).toThrow(
      /target\.userKernel\.sha256: must be 64 lowercase hex digits/,
    );
    expect(readResult({ ...base, schema: 'attnlab/result@1.1' }).target.userKernel).toBeUndefined();
  });
});
