import { describe, expect, it } from 'vitest';
import { KERNELS } from './index.ts';
import {
  KernelHeaderError,
  copyHeader,
  parseKernelHeader,
  sha256Hex,
  userKernelDescriptor,
} from './user.ts';

const HASH = 'ab'.repeat(32);

/** The header lines that declare a built-in's descriptor field by field. */
function explicitHeader(id: string): string {
  const k = KERNELS.find((x) => x.id === id);
  if (!k) throw new Error(id);
  const pairs = [
    `scheme=${k.scheme}`,
    `dtype=${k.dtype}`,
    `entries=${k.entries.join(',')}`,
    `max-head-dim=${k.maxHeadDim}`,
    `scores=${k.materializesScores}`,
    ...(k.requires.length > 0 ? [`requires=${k.requires.join(',')}`] : []),
    ...(k.headDimMultiple !== undefined ? [`head-dim-multiple=${k.headDimMultiple}`] : []),
    ...(k.matrix ? [`layout=${k.matrix.layout}`] : []),
  ];
  return `// @attnlab ${pairs.join(' ')}\nfn f() {}\n`;
}

describe('user kernel descriptors', () => {
  it('a copy of every built-in (like=) follows the built-in: scheme, entries, dtype, limits', () => {
    for (const k of KERNELS) {
      const d = userKernelDescriptor({ source: `${copyHeader(k.id)}\n// body\n` }, HASH);
      expect(d.scheme).toBe(k.scheme);
      expect(d.entries).toEqual(k.entries);
      expect(d.dtype).toBe(k.dtype);
      expect(d.maxHeadDim).toBe(k.maxHeadDim);
      expect(d.requires).toEqual(k.requires);
      expect(d.materializesScores).toBe(k.materializesScores);
      expect(d.halfParts).toEqual(k.halfParts);
      expect(d.matrix).toEqual(k.matrix);
      expect(d.file).toBe(`user/${HASH}.wgsl`);
      expect(d.id).toBe(`user-abababab`);
    }
  });

  it('every built-in descriptor can be written in the header format (the contract is one)', () => {
    for (const k of KERNELS) {
      const d = userKernelDescriptor({ source: explicitHeader(k.id), name: k.id }, HASH);
      expect(d.scheme).toBe(k.scheme);
      expect(d.entries).toEqual(k.entries);
      expect(d.dtype).toBe(k.dtype);
      expect(d.maxHeadDim).toBe(k.maxHeadDim);
      expect(d.headDimMultiple ?? 8).toBe(k.headDimMultiple ?? 8);
      expect(d.requires).toEqual(k.requires);
      expect(d.materializesScores).toBe(k.materializesScores);
      expect(d.matrix?.layout).toBe(k.matrix?.layout);
    }
  });

  it('header fields win over like, and the header like wins over the option', () => {
    const src =
      '// @attnlab like=naive-f32\n// @attnlab id=mine max-head-dim=64 description="two words"\n';
    const d = userKernelDescriptor({ source: src, like: 'flash-f32', name: 'file-stem' }, HASH);
    expect(d.scheme).toBe('naive');
    expect(d.entries).toEqual(['scores_main', 'softmax_main', 'pv_main']);
    expect(d.maxHeadDim).toBe(64);
    expect(d.id).toBe('mine');
    expect(d.description).toBe('two words');
    const named = userKernelDescriptor(
      { source: 'fn f() {}', like: 'flash-f32', name: 'my' },
      HASH,
    );
    expect(named.id).toBe('my');
    expect(named.scheme).toBe('row-per-invocation');
  });

  it('refuses bad headers naming the line, the key and the allowed values', () => {
    const at = (src: string, like?: string): KernelHeaderError => {
      try {
        userKernelDescriptor({ source: src, like }, HASH);
      } catch (err) {
        if (err instanceof KernelHeaderError) return err;
        throw err;
      }
      throw new Error('accepted');
    };
    expect(at('fn f() {}').message).toMatch(/line 1: no descriptor: add a header line/);
    const unknown = at('// x\n// @attnlab like=flash-f32 tiles=4\n');
    expect(unknown.line).toBe(2);
    expect(unknown.message).toMatch(/unknown key "tiles"; keys: like, id,/);
    expect(at('\n\n// @attnlab scheme=tiled dtype=f32 entries=main').message).toBe(
      'line 3: @attnlab scheme: one of naive, row-per-invocation, lanes-per-row, subgroup-matrix, split-kv (got "tiled")',
    );
    expect(at('// @attnlab like=flash-f99').message).toMatch(
      /like: "flash-f99" is not a built-in WebGPU kernel; choose one of naive-f32, flash-f32/,
    );
    expect(at('// @attnlab like=flash-f32 max-head-dim=4').message).toMatch(
      /max-head-dim: an integer in 8..1024 \(got "4"\)/,
    );
    expect(at('// @attnlab like=flash-f32\n// @attnlab like=naive-f32').message).toBe(
      'line 2: @attnlab: like is set twice (first on line 1)',
    );
    expect(at('// @attnlab like=flash-f32 oops').message).toMatch(
      /expected key=value pairs, not "oops"/,
    );
    expect(at('// @attnlab scheme=naive dtype=f32 entries=a,b').message).toMatch(
      /three entry points/,
    );
    expect(at('// @attnlab id=../x like=flash-f32').message).toMatch(/id: letters, digits/);
    expect(at(`// @attnlab like=flash-f32\n${'x'.repeat(256 * 1024)}`).message).toMatch(
      /limit is 262144 \(256 KiB\)/,
    );
  });

  it('parses quoted values and ignores ordinary comments', () => {
    const h = parseKernelHeader(
      '// hello @attnlab\n//@attnlab description="a \\"b\\" c" like=flash-f32\n',
    );
    expect(h.description).toEqual({ value: 'a "b" c', line: 2 });
    expect(h.like).toEqual({ value: 'flash-f32', line: 2 });
  });

  it('hashes with SHA-256 (known vector)', async () => {
    expect(await sha256Hex('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});
