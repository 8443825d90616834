/** The Learn view's problem and step travel in the URL and come back the same. */
import { describe, expect, it } from 'vitest';
import { LearnState } from './learn.svelte.ts';

describe('Learn permalink', () => {
  it('round-trips a random problem, its tiles, causal mask and the step shown', () => {
    const learn = new LearnState();
    learn.draft.seqLen = 10;
    learn.draft.headDim = 6;
    learn.draft.seed = 3;
    learn.draft.causal = true;
    learn.draft.queryTile = 5;
    learn.draft.keyTile = 2;
    learn.draft.scale = '0.25';
    expect(learn.apply()).toBe(true);
    learn.jumpTo(7);
    expect(learn.params).toMatchObject({
      'learn.S': '10',
      'learn.D': '6',
      'learn.seed': '3',
      'learn.causal': '1',
      'learn.Br': '5',
      'learn.Bc': '2',
      'learn.scale': '0.25',
      'learn.step': '8',
    });
    const copy = new LearnState(learn.params);
    expect(copy.problem).toEqual(learn.problem);
    expect(copy.trace.tiles).toEqual(learn.trace.tiles);
    expect(copy.index).toBe(7);
  });

  it('round-trips typed values and shows a bad link’s problem with its issues', () => {
    const learn = new LearnState();
    learn.typeValues();
    const copy = new LearnState(learn.params);
    expect(copy.draft.source).toBe('typed');
    expect(copy.problem).toEqual(learn.problem);

    const bad = new LearnState({ 'learn.S': '99' });
    expect(bad.draft.seqLen).toBe(99);
    expect(bad.issues.length).toBe(1);
    expect(bad.problem.seqLen).toBe(12);
  });

  it('ignores a link without Learn state', () => {
    expect(new LearnState({ S: '128', seed: '5' }).problem.seqLen).toBe(12);
  });
});
