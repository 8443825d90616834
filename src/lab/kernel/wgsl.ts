/**
 * WGSL highlighting for CodeMirror 6: a small hand-written stream tokenizer (keywords, types,
 * attributes, comments — nested block comments included, as WGSL allows — numbers with their
 * suffixes, built-in functions, and the `// @attnlab` header lines). The one npm WGSL grammar
 * for CodeMirror fails to parse our own kernels (`const D4: u32 = D / 4u;`, `enable f16;`), and
 * a highlighter only has to colour tokens, not understand the program: the compiler in the
 * worker does that.
 */
import { StreamLanguage, type StreamParser, type StringStream } from '@codemirror/language';

/** Tokenizer state: how deep inside nested block comments the line starts. */
export interface WgslState {
  /** Open `/*` not yet closed (WGSL block comments nest). */
  commentDepth: number;
}

const KEYWORDS = new Set([
  'alias',
  'break',
  'case',
  'const',
  'const_assert',
  'continue',
  'continuing',
  'default',
  'diagnostic',
  'discard',
  'else',
  'enable',
  'fn',
  'for',
  'if',
  'let',
  'loop',
  'override',
  'requires',
  'return',
  'struct',
  'switch',
  'var',
  'while',
]);

const TYPES = new Set([
  'bool',
  'f16',
  'f32',
  'i32',
  'u32',
  'array',
  'atomic',
  'ptr',
  'sampler',
  'sampler_comparison',
  ...['2', '3', '4'].flatMap((n) => [`vec${n}`, `vec${n}f`, `vec${n}h`, `vec${n}i`, `vec${n}u`]),
  ...['2', '3', '4'].flatMap((c) =>
    ['2', '3', '4'].flatMap((r) => [`mat${c}x${r}`, `mat${c}x${r}f`, `mat${c}x${r}h`]),
  ),
  'subgroup_matrix_left',
  'subgroup_matrix_right',
  'subgroup_matrix_result',
]);

/** Address spaces and access modes, inside `var<…>` and `ptr<…>`. */
const MODIFIERS = new Set([
  'function',
  'private',
  'workgroup',
  'uniform',
  'storage',
  'read',
  'write',
  'read_write',
]);

const BUILTIN_FUNCTIONS = new Set([
  'abs',
  'all',
  'any',
  'arrayLength',
  'atomicAdd',
  'atomicLoad',
  'atomicMax',
  'atomicStore',
  'bitcast',
  'ceil',
  'clamp',
  'cos',
  'dot',
  'exp',
  'exp2',
  'floor',
  'fma',
  'fract',
  'inverseSqrt',
  'log',
  'log2',
  'max',
  'min',
  'mix',
  'pack2x16float',
  'pow',
  'round',
  'select',
  'sign',
  'sin',
  'sqrt',
  'storageBarrier',
  'tanh',
  'unpack2x16float',
  'workgroupBarrier',
  'workgroupUniformLoad',
]);

const NUMBER =
  /^(?:0[xX][0-9a-fA-F]+[iuh]?|(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?[fh]?|\d+[eE][+-]?\d+[fh]?|\d+[iufh]?)/;
const IDENT = /^[A-Za-z_][\w]*/;

/** Reads inside a (possibly nested) block comment until it closes or the line ends. */
function blockComment(stream: StringStream, state: WgslState): string {
  while (!stream.eol()) {
    if (stream.match('/*')) state.commentDepth += 1;
    else if (stream.match('*/')) {
      state.commentDepth -= 1;
      if (state.commentDepth === 0) break;
    } else stream.next();
  }
  return 'blockComment';
}

/** The tokenizer, usable on its own (tests) or through `wgslLanguage`. */
export const wgslParser: StreamParser<WgslState> = {
  name: 'wgsl',
  startState: () => ({ commentDepth: 0 }),
  copyState: (s) => ({ commentDepth: s.commentDepth }),
  token(stream, state) {
    if (state.commentDepth > 0) return blockComment(stream, state);
    if (stream.eatSpace()) return null;
    if (stream.match(/^\/\/\s*@attnlab\b/)) {
      stream.skipToEnd();
      return 'meta';
    }
    if (stream.match('//')) {
      stream.skipToEnd();
      return 'lineComment';
    }
    if (stream.match('/*')) {
      state.commentDepth = 1;
      return blockComment(stream, state);
    }
    if (stream.match(/^@[A-Za-z_]\w*/)) return 'attributeName';
    if (stream.match(NUMBER)) return 'number';
    const ident = stream.match(IDENT);
    if (ident && typeof ident === 'object') {
      const word = ident[0];
      if (word === 'true' || word === 'false') return 'bool';
      if (KEYWORDS.has(word)) return 'keyword';
      if (TYPES.has(word) || word.startsWith('texture_')) return 'typeName';
      if (MODIFIERS.has(word)) return 'modifier';
      if (BUILTIN_FUNCTIONS.has(word) || word.startsWith('subgroup')) {
        return 'variableName.standard';
      }
      return 'variableName';
    }
    if (stream.match(/^[{}()[\]]/)) return 'bracket';
    if (stream.match(/^(?:->|[-+*/%=<>!&|^~]=?|&&|\|\|)/)) return 'operator';
    stream.next();
    return null;
  },
  languageData: { commentTokens: { line: '//', block: { open: '/*', close: '*/' } } },
};

/** WGSL as a CodeMirror language. */
export const wgslLanguage = StreamLanguage.define(wgslParser);
