import { describe, expect, it } from 'vitest';
import {
  MAX_MESSAGE_BYTES,
  exampleResult,
  parseClientMessage,
  parseHarnessLine,
  parseServerMessage,
} from './index.ts';

const run = {
  type: 'run',
  id: 'r1',
  config: { batch: 1, heads: 2, seqLen: 64, headDim: 32, causal: false, dtype: 'f32' },
  backend: 'cpu',
  kernel: 'cpu-flash-f32',
  stop: { kind: 'count', iterations: 10 },
};

describe('runner protocol validation', () => {
  it('accepts each client message type', () => {
    for (const msg of [
      { type: 'hello', token: 't' },
      { type: 'listBackends' },
      run,
      { type: 'cancel', id: 'r1' },
    ]) {
      const parsed = parseClientMessage(JSON.stringify(msg));
      expect(parsed.ok, JSON.stringify(parsed)).toBe(true);
    }
  });

  it('answers bad JSON, non-objects, unknown types and oversize with distinct codes', () => {
    expect(parseClientMessage('{oops')).toMatchObject({ ok: false, code: 'bad-json' });
    expect(parseClientMessage('[1,2]')).toMatchObject({ ok: false, code: 'invalid-message' });
    expect(parseClientMessage('{"type":"format-disk"}')).toMatchObject({
      ok: false,
      code: 'unknown-type',
    });
    expect(parseClientMessage('{"no":"type"}')).toMatchObject({ ok: false, code: 'unknown-type' });
    const huge = JSON.stringify({ type: 'hello', token: 'x'.repeat(MAX_MESSAGE_BYTES) });
    expect(parseClientMessage(huge)).toMatchObject({ ok: false, code: 'too-large' });
  });

  it('checks config bounds before anything is launched', () => {
    const bad = { ...run, config: { ...run.config, seqLen: 100000 } };
    const parsed = parseClientMessage(JSON.stringify(bad));
    expect(parsed).toMatchObject({ ok: false, code: 'bad-config' });
    if (!parsed.ok)
      expect(parsed.error).toContain('config.seqLen: must be an integer in 1..65536 (got 100000)');
  });

  it('rejects extra fields and bad ids in client messages', () => {
    expect(parseClientMessage(JSON.stringify({ ...run, evil: 1 }))).toMatchObject({
      ok: false,
      code: 'invalid-message',
    });
    expect(parseClientMessage(JSON.stringify({ ...run, id: '../../etc' }))).toMatchObject({
      ok: false,
      code: 'invalid-message',
    });
  });

  it('validates server messages including a runDone result', () => {
    const done = { type: 'runDone', id: 'r1', result: exampleResult([1, 2, 3]) };
    expect(parseServerMessage(JSON.stringify(done)).ok).toBe(true);
    const bad = { type: 'samples', id: 'r1', seq: -1, ms: [1] };
    expect(parseServerMessage(JSON.stringify(bad)).ok).toBe(false);
  });
});

describe('harness lines', () => {
  it('parses a samples line and rejects garbage without throwing', () => {
    const ok = parseHarnessLine('{"type":"samples","ms":[0.5,0.25]}');
    expect(ok).toEqual({ ok: true, line: { type: 'samples', ms: [0.5, 0.25] } });
    expect(parseHarnessLine('Segmentation fault')).toMatchObject({ ok: false });
    const bad = parseHarnessLine('{"type":"check","correctness":{}}');
    expect(bad.ok).toBe(false);
  });
});
