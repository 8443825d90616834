/** The nesting guard that keeps deeply nested frames away from the JSON parser. */
import { describe, expect, it } from 'vitest';
import { MAX_NESTING, idOf, nestingExceeds } from './incoming.ts';

const enc = (s: string) => Buffer.from(s, 'utf8');

describe('nestingExceeds', () => {
  it('accepts every protocol message shape and refuses one level past the limit', () => {
    const run = {
      type: 'run',
      id: 'a',
      config: { batch: 1, heads: 1, seqLen: 8, headDim: 8, causal: false, dtype: 'f32' },
      stop: { kind: 'count', iterations: 3 },
    };
    expect(nestingExceeds(enc(JSON.stringify(run)))).toBe(false);
    const nested = (d: number) => '['.repeat(d) + ']'.repeat(d);
    expect(nestingExceeds(enc(nested(MAX_NESTING)))).toBe(false);
    expect(nestingExceeds(enc(nested(MAX_NESTING + 1)))).toBe(true);
    expect(nestingExceeds(enc('{"a":'.repeat(MAX_NESTING + 1)))).toBe(true);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({ type: 'hello', client: `${'['.repeat(50)}"\\${'{'.repeat(50)}` });
    expect(nestingExceeds(enc(text))).toBe(false);
    expect(nestingExceeds(enc(`{"s":"\\"${'['.repeat(40)}"}`))).toBe(false);
  });

  it('rejects a deeply nested frame far faster than JSON.parse could read it', () => {
    const depth = 300_000;
    const text = '['.repeat(depth) + ']'.repeat(depth);
    const t0 = performance.now();
    expect(nestingExceeds(enc(text))).toBe(true);
    const scan = performance.now() - t0;
    const t1 = performance.now();
    JSON.parse(text);
    const parse = performance.now() - t1;
    // Relative, so a loaded machine slows both sides alike.
    expect(scan).toBeLessThan(parse / 10);
    const flat = enc(`[${'1,'.repeat((1 << 19) - 1)}1]`);
    expect(nestingExceeds(flat)).toBe(false);
  });
});

describe('idOf', () => {
  it('returns a valid run id and nothing else', () => {
    expect(idOf(enc('{"type":"run","id":"r-1.a:b"}'))).toBe('r-1.a:b');
    expect(idOf(enc('{"id":"has space"}'))).toBeUndefined();
    expect(idOf(enc('{"id":5}'))).toBeUndefined();
    expect(idOf(enc('[1]'))).toBeUndefined();
    expect(idOf(enc('{"id":'))).toBeUndefined();
  });
});
