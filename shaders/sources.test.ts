import { describe, expect, it } from 'vitest';
import { KERNELS, SHADER_FILES, composeShader, composeShaderMapped, filesOf } from './index.ts';
import { browserShaderSources } from './sources.browser.ts';
import { loadNodeShaderSources } from './sources.node.ts';

describe('shader loaders', () => {
  it('give the browser (?raw) and Node (fs) builds the same WGSL for every file', async () => {
    const node = await loadNodeShaderSources();
    expect(Object.keys(browserShaderSources).sort()).toEqual([...SHADER_FILES].sort());
    expect(Object.keys(node).sort()).toEqual([...SHADER_FILES].sort());
    for (const file of SHADER_FILES) {
      expect(browserShaderSources[file]).toBe(node[file]);
      expect(node[file]?.length).toBeGreaterThan(200);
    }
  });

  it('keep one .wgsl per kernel, each with a header saying how to run it alone', async () => {
    const node = await loadNodeShaderSources();
    for (const kernel of KERNELS) {
      expect(node[kernel.file]).toMatch(
        new RegExp(`attnlab run --backend (webgpu|dawn) --kernel ${kernel.id}\\b`),
      );
      expect(filesOf(kernel)).toContain(kernel.file);
    }
  });
});

describe('composeShader', () => {
  const sources = {
    'a.wgsl': '// part a\nenable f16;\nalias T = f16;',
    'b.wgsl': 'enable subgroups;\nfn main() { let x = D; }',
  };

  it('hoists directives above the baked constants and keeps the parts in order', () => {
    const code = composeShader(sources, ['a.wgsl', 'b.wgsl'], { D: 64, BC: 8 });
    const lines = code.split('\n');
    expect(lines.slice(0, 2)).toEqual(['enable f16;', 'enable subgroups;']);
    expect(code.indexOf('const D: u32 = 64u;')).toBeLessThan(code.indexOf('alias T = f16;'));
    expect(code.indexOf('alias T = f16;')).toBeLessThan(code.indexOf('fn main()'));
    expect(code.match(/enable f16;/g)).toHaveLength(1);
  });

  it('refuses missing sources and non-integer constants, naming them', () => {
    expect(() => composeShader(sources, ['c.wgsl'], {})).toThrow(
      'shader source c.wgsl is missing from the loader',
    );
    expect(() => composeShader(sources, ['a.wgsl'], { BC: 2.5 })).toThrow(
      'shader constant BC must be a non-negative integer, got 2.5',
    );
  });

  it('maps every composed line back to its part and line, directives included', () => {
    const { code, origins } = composeShaderMapped(sources, ['a.wgsl', 'b.wgsl'], { D: 64 });
    const lines = code.split('\n');
    expect(origins).toHaveLength(lines.length);
    const at = (text: string) => origins[lines.indexOf(text)];
    expect(at('enable subgroups;')).toEqual({ file: 'b.wgsl', line: 1 });
    expect(at('fn main() { let x = D; }')).toEqual({ file: 'b.wgsl', line: 2 });
    expect(at('alias T = f16;')).toEqual({ file: 'a.wgsl', line: 3 });
    expect(at('const D: u32 = 64u;')).toBeNull();
  });
});
