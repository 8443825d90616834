/**
 * Guard for a driver fault measured on the H100 (NVIDIA 580, Vulkan): a workgroup variable whose
 * size is not a multiple of 16 bytes put every subgroup-matrix load and store of the kernel
 * 4 bytes early (BENCHMARKS.md, issue 8). The subgroup-matrix kernels must keep every
 * `var<workgroup>` a multiple of 16 bytes for every tile plan the engine can bake.
 */
import { describe, expect, it } from 'vitest';
import { subgroupMatrixBytes } from '../src/webgpu/tiles.ts';
import { KERNELS } from './index.ts';
import { loadNodeShaderSources } from './sources.node.ts';

const SCALAR_BYTES: Record<string, number> = { f16: 2, f32: 4, u32: 4, i32: 4 };

/** Evaluates a WGSL constant expression of the preamble's names (`SG * 16u * BC`): + - * / ( ). */
function evalConst(expr: string, consts: Record<string, number>): number {
  const tokens = expr.match(/\d+u?|[A-Z_][A-Z0-9_]*|[-+*/()]/g) ?? [];
  let at = 0;
  const next = (): string => tokens[at++] ?? '';
  const peek = (): string => tokens[at] ?? '';
  const atom = (): number => {
    const t = next();
    if (t === '(') {
      const v = sum();
      if (next() !== ')') throw new Error(`unbalanced "${expr}"`);
      return v;
    }
    if (/^\d+u?$/.test(t)) return Number.parseInt(t, 10);
    const value = consts[t];
    if (value === undefined) throw new Error(`unknown constant ${t} in "${expr}"`);
    return value;
  };
  const product = (): number => {
    let v = atom();
    while (peek() === '*' || peek() === '/')
      v = next() === '*' ? v * atom() : Math.floor(v / atom());
    return v;
  };
  const sum = (): number => {
    let v = product();
    while (peek() === '+' || peek() === '-') v = next() === '+' ? v + product() : v - product();
    return v;
  };
  const value = sum();
  if (at !== tokens.length) throw new Error(`trailing tokens in "${expr}"`);
  return value;
}

/** Bytes of a WGSL type made of scalars, vecN and fixed arrays (what these kernels declare). */
function bytesOf(type: string, consts: Record<string, number>): number {
  const t = type.trim();
  const scalar = SCALAR_BYTES[t];
  if (scalar !== undefined) return scalar;
  const vec = /^vec([234])<(\w+)>$/.exec(t);
  if (vec) return Number(vec[1]) * (SCALAR_BYTES[vec[2] ?? ''] ?? Number.NaN);
  const arr = /^array<(.+),\s*([^,<>]+)>$/.exec(t);
  if (arr) return bytesOf(arr[1] ?? '', consts) * evalConst(arr[2] ?? '', consts);
  throw new Error(`unhandled type ${t}`);
}

/** The shader's own `const NAME: u32 = …;` lines that evaluate from the preamble (others skipped). */
function shaderConsts(code: string, preamble: Record<string, number>): Record<string, number> {
  const consts = { ...preamble };
  for (const m of code.matchAll(/^const\s+([A-Z_][A-Z0-9_]*)\s*:\s*u32\s*=\s*([^;]+);/gm)) {
    try {
      consts[m[1] ?? ''] = evalConst(m[2] ?? '', consts);
    } catch {
      // min(…), max(…) and the like: not used in workgroup array sizes.
    }
  }
  return consts;
}

describe('subgroup-matrix kernels: workgroup layout', () => {
  it('keeps every workgroup variable a multiple of 16 bytes, summing to the planned bytes', async () => {
    const sources = await loadNodeShaderSources();
    const kernels = KERNELS.filter((k) => k.scheme === 'subgroup-matrix');
    expect(kernels.map((k) => k.id).sort()).toEqual([
      'flash-sgmat-f16',
      'flash-sgmat-f16-v2',
      'flash-sgmat-f32x3',
      'flash-sgmat-f32x3-v2',
    ]);
    let checked = 0;
    for (const kernel of kernels) {
      const code = sources[kernel.file] ?? '';
      const vars = [...code.matchAll(/^var<workgroup>\s+(\w+)\s*:\s*(.+?);/gm)].map((m) => ({
        name: m[1] ?? '',
        type: m[2] ?? '',
      }));
      expect(vars.length).toBeGreaterThanOrEqual(3);
      for (const D of [16, 32, 64, 128])
        for (const SG of [1, 2, 4, 8])
          for (const BC of [16, 32, 64]) {
            const { bytes, kvHalves } = subgroupMatrixBytes(
              kernel.matrix?.layout ?? 'packed',
              kernel.dtype === 'f32',
              D,
              SG,
              BC,
            );
            const consts = shaderConsts(code, { D, SG, SGS: 32, BC, KV_LEN: kvHalves });
            let declared = 0;
            for (const v of vars) {
              const size = bytesOf(v.type, consts);
              expect(size % 16, `${kernel.id} ${v.name} at D=${D} SG=${SG} BC=${BC}`).toBe(0);
              declared += size;
              checked++;
            }
            expect(declared, `${kernel.id} bytes at D=${D} SG=${SG} BC=${BC}`).toBe(bytes);
          }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('would catch the 4-byte flag that broke them', () => {
    expect(bytesOf('u32', {})).toBe(4);
    expect(bytesOf('vec4<u32>', {})).toBe(16);
    expect(bytesOf('array<f16, SG * 16u * BC>', { SG: 1, BC: 16 })).toBe(512);
    expect(evalConst('(A + 2u) * B - 6u / 3u', { A: 1, B: 4 })).toBe(10);
  });
});
