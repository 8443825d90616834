/** Permalinks round-trip the form and never throw on a hand-edited URL. */
import { describe, expect, it } from 'vitest';
import { decodePermalink, encodePermalink } from './permalink.ts';

const config = {
  batch: '2',
  heads: '8',
  seqLen: '1024',
  headDim: '128',
  causal: true,
  dtype: 'f16' as const,
};
const stop = { kind: 'ci' as const, iterations: '50', ciPercent: '1', ciMax: '3000', budgetS: '5' };
const targets = ['browser|webgpu|flash-f16', 'ws://gpu-box:9000|cuda|flash-v1'];

describe('permalink', () => {
  it('encodes config, stop rule and targets readably and decodes them back', () => {
    const q = encodePermalink('sweep', config, stop, targets);
    expect(q).toBe(
      '?tab=sweep&B=2&H=8&S=1024&D=128&dtype=f16&causal=1&stop=ci:1:3000&t=browser|webgpu|flash-f16&t=ws:/' +
        '/gpu-box:9000|cuda|flash-v1',
    );
    expect(decodePermalink(q)).toEqual({
      tab: 'sweep',
      config,
      stop: { kind: 'ci', ciPercent: '1', ciMax: '3000' },
      targets,
    });
  });

  it('drops what it does not understand and leaves bad numbers for the form to flag', () => {
    const link = decodePermalink(
      '?B=-3&dtype=f64&causal=maybe&stop=forever&t=nonsense&t=http://x|a|b&S=99999999999999999999',
    );
    expect(link.config).toEqual({ batch: '-3', seqLen: '999999999999' });
    expect(link.stop).toEqual({});
    expect(link.targets).toEqual([]);
    expect(link.tab).toBeNull();
  });
});
