import { describe, expect, it } from 'vitest';
import { attentionBytes, attentionFlops, configLabel } from '../../model/index.ts';
import { checkConfig, type ConfigFields } from './formcheck.ts';
import { decodePermalink, encodePermalink } from './permalink.ts';
import { CONFIG_PRESETS, presetFields } from './presets.ts';

const fields = (over: Partial<ConfigFields> = {}): ConfigFields => ({
  batch: '1',
  heads: '8',
  seqLen: '1',
  headDim: '64',
  kvHeads: '',
  kvSeqLen: '',
  causal: true,
  dtype: 'f32',
  ...over,
});
const stop = {
  kind: 'count',
  iterations: '5',
  ciPercent: '2',
  ciMax: '2000',
  budgetS: '5',
} as const;

describe('presets', () => {
  it('Llama-3-8B decode, 8k cache is B1 H32 Hkv8 S1 Skv8192 D128 f16 causal', () => {
    const p = CONFIG_PRESETS.find((x) => x.label.startsWith('Llama-3-8B decode, 8k cache'));
    if (!p) throw new Error('no Llama-3-8B decode preset');
    const checked = checkConfig(presetFields(p));
    if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
    expect(checked.value).toEqual({
      batch: 1,
      heads: 32,
      kvHeads: 8,
      seqLen: 1,
      kvSeqLen: 8192,
      headDim: 128,
      dtype: 'f16',
      causal: true,
    });
    // 1 query × 8192 keys × 32 heads × 4·128 FLOP; Q, O 2·32·128·2 B + K, V 2·8·8192·128·2 B
    expect(attentionFlops(checked.value)).toBe(134_217_728);
    expect(attentionBytes(checked.value)).toBe(33_570_816);
  });

  it('every preset validates; prefill has no KV length, MQA one KV head', () => {
    const labels = CONFIG_PRESETS.map((p) => {
      const c = checkConfig(presetFields(p));
      if (!c.ok) throw new Error(JSON.stringify(c.errors));
      return configLabel(c.value);
    });
    expect(labels).toEqual([
      'B=1 H=32 Hkv=8 S=1 Skv=8192 D=128 f16 causal',
      'B=1 H=32 Hkv=8 S=2048 D=128 f16 causal',
      'B=1 H=32 Hkv=1 S=1 Skv=8192 D=128 f16 causal',
    ]);
  });
});

describe('KV fields in the form', () => {
  it('empty means the square problem; typed values are validated as you type', () => {
    expect(checkConfig(fields()).value).not.toHaveProperty('kvHeads');
    expect(checkConfig(fields({ kvHeads: '2', kvSeqLen: '300' })).value).toMatchObject({
      kvHeads: 2,
      kvSeqLen: 300,
    });
    expect(checkConfig(fields({ kvHeads: '3' })).errors.kvHeads).toBe(
      'must divide heads (8): one of 1, 2, 4, 8 (got 3)',
    );
    expect(checkConfig(fields({ kvSeqLen: '2000000' })).errors.kvSeqLen).toMatch(
      /^must be an integer in 1\.\.1048576/,
    );
    expect(checkConfig(fields({ kvSeqLen: 'abc' })).errors.kvSeqLen).toMatch(/got "abc"/);
  });

  it('permalinks carry Hkv and Skv only when set', () => {
    const link = encodePermalink(
      'run',
      { ...fields({ kvHeads: '2', kvSeqLen: '4096' }) },
      stop,
      [],
    );
    expect(link).toContain('&Hkv=2&Skv=4096&');
    expect(decodePermalink(link).params).toMatchObject({ kvHeads: '2', kvSeqLen: '4096' });
    const square = encodePermalink('run', { ...fields() }, stop, []);
    expect(square).not.toContain('Hkv');
    expect(decodePermalink(square).params.kvSeqLen).toBeUndefined();
  });
});
