import { describe, expect, it } from 'vitest';
import { LearnState } from './learn.svelte.ts';

describe('LearnState', () => {
  it('starts on step 1 of a seeded 12×4 problem with tiles of 4', () => {
    const learn = new LearnState();
    expect(learn.problem.seqLen).toBe(12);
    expect(learn.problem.headDim).toBe(4);
    // 3 query tiles × (load + 3 key tiles × 4 + normalise).
    expect(learn.count).toBe(3 * (1 + 3 * 4 + 1));
    expect(learn.step.kind).toBe('load-q');
    expect(learn.difference).toBeNull();
  });

  it('keeps the last good problem and names the field when the draft is bad', () => {
    const learn = new LearnState();
    learn.next();
    learn.draft.seqLen = 99;
    expect(learn.apply()).toBe(false);
    expect(learn.issues).toEqual(['Sequence length S: must be an integer in 1..64 (got 99)']);
    expect(learn.problem.seqLen).toBe(12);
    expect(learn.index).toBe(1);
    learn.draft.seqLen = 9;
    learn.draft.scale = 'abc';
    expect(learn.apply()).toBe(false);
    expect(learn.issues[0]).toMatch(/^Softmax scale: must be a finite number > 0/);
    learn.draft.scale = '0.5';
    expect(learn.apply()).toBe(true);
    expect(learn.issues).toEqual([]);
    expect(learn.problem.seqLen).toBe(9);
    expect(learn.problem.scale).toBe(0.5);
    expect(learn.index).toBe(0);
  });

  it('switches to typed values that reproduce the random problem exactly', () => {
    const learn = new LearnState();
    const before = Array.from(learn.trace.output);
    learn.typeValues();
    expect(learn.draft.source).toBe('typed');
    expect(learn.issues).toEqual([]);
    expect(Array.from(learn.trace.output)).toEqual(before);
    learn.draft.kText = '1 2 3 4';
    expect(learn.apply()).toBe(false);
    expect(learn.issues).toEqual(['K: has 1 rows, expected S = 12 (as many as Q)']);
  });

  it('steps, jumps by tile and stops the player at the end', () => {
    const learn = new LearnState();
    learn.prev();
    expect(learn.index).toBe(0);
    learn.nextTile();
    expect(learn.step.kind).toBe('scores');
    learn.nextTile();
    expect(learn.step.kind).toBe('scores');
    expect('tile' in learn.step && learn.step.tile.keyTile).toBe(1);
    learn.prevTile();
    expect('tile' in learn.step && learn.step.tile.keyTile).toBe(0);
    learn.jumpTo(1e9);
    expect(learn.index).toBe(learn.count - 1);
    expect(learn.difference).toBeLessThan(1e-12);
    learn.playing = true;
    learn.next();
    expect(learn.playing).toBe(false);
    learn.togglePlay();
    expect(learn.playing).toBe(true);
    expect(learn.index).toBe(0);
  });

  it('tells the naive panel which tiles are done, current, to come or skipped', () => {
    const learn = new LearnState();
    learn.draft.causal = true;
    expect(learn.apply()).toBe(true);
    const start = learn.jumpTargets.find((t) => t.label === 'Q tile 1 × K tile 1');
    expect(start).toBeDefined();
    learn.jumpTo(start?.index ?? -1);
    expect(learn.tilePhase(0, 0)).toBe('done');
    expect(learn.tilePhase(0, 1)).toBe('skipped');
    expect(learn.tilePhase(1, 0)).toBe('done');
    expect(learn.tilePhase(1, 1)).toBe('current');
    expect(learn.tilePhase(1, 2)).toBe('skipped');
    expect(learn.tilePhase(2, 0)).toBe('todo');
    // Masked blocks show as skipped before the kernel gets there.
    expect(learn.tilePhase(2, 2)).toBe('todo');
    learn.jumpTo(0);
    expect(learn.tilePhase(0, 1)).toBe('skipped');
    expect(learn.tilePhase(0, 0)).toBe('todo');
  });

  it('shows the weights tile only from the sum step on', () => {
    const learn = new LearnState();
    learn.jumpTo(1);
    expect(learn.step.kind).toBe('scores');
    expect(learn.weights?.flat().every(Number.isNaN)).toBe(true);
    learn.jumpTo(3);
    expect(learn.step.kind).toBe('sum');
    expect(learn.weights?.flat().some((p) => p === 1)).toBe(true);
  });
});
