/** Permalinks round-trip every form field and view state, and never throw on a hand-edited URL. */
import { describe, expect, it } from 'vitest';
import { RunForm } from '../state/form.svelte.ts';
import { decodePermalink, encodePermalink, fieldsFromParams } from './permalink.ts';

const fields = {
  batch: '2',
  heads: '8',
  seqLen: '1024',
  headDim: '128',
  causal: true,
  dtype: 'f16',
  cache: 'warm',
  seed: '42',
};
const stop = { kind: 'ci' as const, iterations: '50', ciPercent: '1', ciMax: '3000', budgetS: '5' };
const targets = ['browser|webgpu|flash-f16', 'ws://gpu-box:9000|cuda|flash-v1'];

describe('permalink', () => {
  it('encodes every field, the stop rule, targets and view state readably and decodes them back', () => {
    const q = encodePermalink('compare', fields, stop, targets, { a: 'run-1', b: 'run-2' });
    expect(q).toBe(
      '?tab=compare&B=2&H=8&S=1024&D=128&causal=1&dtype=f16&cache=warm&seed=42&stop=ci:1:3000' +
        '&t=browser|webgpu|flash-f16&t=ws://gpu-box:9000|cuda|flash-v1&a=run-1&b=run-2',
    );
    expect(decodePermalink(q)).toEqual({
      tab: 'compare',
      params: {
        batch: '2',
        heads: '8',
        seqLen: '1024',
        headDim: '128',
        causal: '1',
        dtype: 'f16',
        cache: 'warm',
        seed: '42',
        a: 'run-1',
        b: 'run-2',
      },
      stop: { kind: 'ci', ciPercent: '1', ciMax: '3000' },
      targets,
    });
  });

  it('carries a field it has never heard of (a form field added later) by name', () => {
    const q = encodePermalink('run', { ...fields, window: '256' }, stop, []);
    expect(q).toContain('&window=256&');
    const back = fieldsFromParams(decodePermalink(q).params, { window: '', causal: false });
    expect(back).toEqual({ window: '256', causal: true });
  });

  it('drops what it does not understand and leaves bad numbers for the form to flag', () => {
    const link = decodePermalink(
      '?B=-3&dtype=f64&causal=maybe&stop=forever&t=nonsense&t=http://x|a|b&S=99999999999999999999999999999',
    );
    const read = fieldsFromParams(
      link.params,
      { batch: '', seqLen: '', dtype: 'f32', causal: false },
      { dtype: ['f32', 'f16'] },
    );
    expect(read).toEqual({ batch: '-3', seqLen: '999999999999999999999999' });
    expect(link.stop).toEqual({});
    expect(link.targets).toEqual([]);
    expect(link.tab).toBeNull();
  });

  it('round-trips every field of the run form, whatever fields it has', () => {
    const form = new RunForm();
    form.batch = '3';
    form.heads = '4';
    form.seqLen = '96';
    form.headDim = '32';
    form.kvHeads = '2';
    form.kvSeqLen = '300';
    form.causal = true;
    form.dtype = 'f16';
    form.cache = 'warm';
    form.seed = '12345';
    form.stopKind = 'time';
    form.budgetS = '7';
    form.toggleTarget('browser|webgpu|flash-f16', true);
    const copy = new RunForm();
    copy.apply(decodePermalink(form.permalink('run')));
    expect(copy.fields).toEqual(form.fields);
    expect(copy.stopFields).toEqual({ ...form.stopFields });
    expect(copy.targets).toEqual(['browser|webgpu|flash-f16']);
    // Every field is really there: none left at its default.
    const fresh = new RunForm();
    for (const name of Object.keys(form.fields)) {
      expect(copy.fields[name], name).not.toEqual(fresh.fields[name]);
    }
  });

  it('reads links made before cache, seed and view state existed', () => {
    const form = new RunForm();
    form.apply(decodePermalink('?tab=sweep&B=2&H=8&S=1024&D=128&dtype=f16&causal=1&stop=count:9'));
    expect(form.fields).toMatchObject({ batch: '2', seqLen: '1024', dtype: 'f16', causal: true });
    expect(form.iterations).toBe('9');
    expect(form.cache).toBe('cold');
  });
});
