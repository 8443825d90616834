import { readFileSync } from 'node:fs';
import { StringStream } from '@codemirror/language';
import { describe, expect, it } from 'vitest';
import { wgslParser, type WgslState } from './wgsl.ts';

/** Every token of a text as [text, style], whitespace left out; the state runs across lines. */
function tokens(text: string): [string, string | null][] {
  const state: WgslState = wgslParser.startState?.(2) ?? { commentDepth: 0 };
  const out: [string, string | null][] = [];
  for (const line of text.split('\n')) {
    const stream = new StringStream(line, 4, 2);
    while (!stream.eol()) {
      const style = wgslParser.token(stream, state);
      const word = stream.current();
      if (word.trim() !== '') out.push([word, style]);
      stream.start = stream.pos;
    }
  }
  return out;
}

describe('WGSL tokenizer', () => {
  it('tells keywords, types, address spaces, attributes and numbers apart', () => {
    expect(tokens('@group(0) @binding(1) var<storage, read> q: array<vec4<f32>>;')).toEqual([
      ['@group', 'attributeName'],
      ['(', 'bracket'],
      ['0', 'number'],
      [')', 'bracket'],
      ['@binding', 'attributeName'],
      ['(', 'bracket'],
      ['1', 'number'],
      [')', 'bracket'],
      ['var', 'keyword'],
      ['<', 'operator'],
      ['storage', 'modifier'],
      [',', null],
      ['read', 'modifier'],
      ['>', 'operator'],
      ['q', 'variableName'],
      [':', null],
      ['array', 'typeName'],
      ['<', 'operator'],
      ['vec4', 'typeName'],
      ['<', 'operator'],
      ['f32', 'typeName'],
      ['>', 'operator'],
      ['>', 'operator'],
      [';', null],
    ]);
  });

  it('reads number suffixes, hex and exponents as one token', () => {
    const nums = tokens('4u 1.0 -3.0e38 0x1Fu .5f 2e-3h 7i 1.')
      .filter(([, s]) => s === 'number')
      .map(([t]) => t);
    expect(nums).toEqual(['4u', '1.0', '3.0e38', '0x1Fu', '.5f', '2e-3h', '7i', '1.']);
  });

  it('keeps nested block comments open across lines, and line comments to the end', () => {
    const toks = tokens('a /* x /* y */ still\nin */ b // c d\nlet');
    expect(toks).toEqual([
      ['a', 'variableName'],
      ['/* x /* y */ still', 'blockComment'],
      ['in */', 'blockComment'],
      ['b', 'variableName'],
      ['// c d', 'lineComment'],
      ['let', 'keyword'],
    ]);
  });

  it('marks the @attnlab header line, built-ins, booleans and directives', () => {
    expect(tokens('// @attnlab like=flash-f32')).toEqual([['// @attnlab like=flash-f32', 'meta']]);
    expect(tokens('enable f16; let m = max(exp2(x), 0.0) == true;')).toEqual([
      ['enable', 'keyword'],
      ['f16', 'typeName'],
      [';', null],
      ['let', 'keyword'],
      ['m', 'variableName'],
      ['=', 'operator'],
      ['max', 'variableName.standard'],
      ['(', 'bracket'],
      ['exp2', 'variableName.standard'],
      ['(', 'bracket'],
      ['x', 'variableName'],
      [')', 'bracket'],
      [',', null],
      ['0.0', 'number'],
      [')', 'bracket'],
      ['==', 'operator'],
      ['true', 'bool'],
      [';', null],
    ]);
  });

  it('tokenizes a whole built-in kernel without leaving a comment open', () => {
    const src = readFileSync(
      new URL('../../../shaders/flash-f32/flash_f32.wgsl', import.meta.url),
      'utf8',
    );
    const toks = tokens(src);
    expect(toks.filter(([t]) => t === 'fn').every(([, s]) => s === 'keyword')).toBe(true);
    expect(toks.some(([t, s]) => t === '@compute' && s === 'attributeName')).toBe(true);
    const last = toks.at(-1);
    expect(last?.[1]).not.toBe('blockComment');
  });
});
