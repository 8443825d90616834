import { describe, expect, it } from 'vitest';
import type { Correctness } from '../../model/index.ts';
import {
  checkBlocker,
  compileBlocker,
  firstMismatch,
  isDeviceLoss,
  runBlocker,
  type CheckState,
  type CompileState,
} from './gate.ts';

const SRC = 'fn main() {}';
const KEY = 'B1 H1 S64 D32';
const compiled: CompileState = { state: 'compiled', source: SRC, kernel: 'k', messages: [] };
const correctness = (passed: boolean): Correctness => ({
  reference: 'f64-cpu',
  rowsChecked: 64,
  rowsTotal: 64,
  maxAbsErr: passed ? 1e-7 : 0.4,
  relL2Err: passed ? 1e-7 : 0.3,
  tolerance: 1e-4,
  passed,
});
const checked = (passed: boolean, source = SRC, configKey = KEY): CheckState => ({
  state: 'done',
  source,
  configKey,
  seed: 1,
  correctness: correctness(passed),
});

describe('compile and check gates', () => {
  it('blocks a source that is not compiled yet, or compiled as another text', () => {
    expect(compileBlocker({ state: 'idle' }, SRC)).toBe('Compiling…');
    expect(compileBlocker({ state: 'compiling', source: SRC }, SRC)).toBe('Compiling…');
    expect(compileBlocker(compiled, `${SRC} `)).toBe('Compiling…');
    expect(compileBlocker(compiled, SRC)).toBeNull();
  });

  it('names how many errors keep a shader from running, and engine problems as they are', () => {
    const error = { type: 'error' as const, file: 'user', line: 3, column: 1, message: 'x' };
    const warning = { ...error, type: 'warning' as const };
    expect(compileBlocker({ state: 'errors', source: SRC, messages: [error] }, SRC)).toBe(
      'The shader does not compile (1 error); fix it first.',
    );
    expect(
      compileBlocker({ state: 'errors', source: SRC, messages: [error, warning, error] }, SRC),
    ).toBe('The shader does not compile (2 errors); fix them first.');
    expect(compileBlocker({ state: 'unavailable', source: SRC, reason: 'no GPU' }, SRC)).toBe(
      'no GPU',
    );
  });

  it('does not start a second check while one runs', () => {
    expect(
      checkBlocker(compiled, { state: 'checking', source: SRC, configKey: KEY, seed: 1 }, SRC),
    ).toBe('Checking…');
    expect(checkBlocker(compiled, { state: 'none' }, SRC)).toBeNull();
  });
});

describe('run gate', () => {
  it('runs only after a passing check of this source and config', () => {
    expect(runBlocker(compiled, checked(true), SRC, KEY)).toBeNull();
    expect(runBlocker(compiled, { state: 'none' }, SRC, KEY)).toMatch(/^Check it first/);
    expect(runBlocker(compiled, checked(true), SRC, null)).toMatch(/invalid fields/);
  });

  it('refuses while the latest check failed, and says so', () => {
    expect(runBlocker(compiled, checked(false), SRC, KEY)).toBe(
      'The latest check failed: the output does not match the f64 reference. Fix the kernel and check again.',
    );
    const edited = { ...compiled, source: 'fn main() { }' };
    expect(runBlocker(edited, checked(false), 'fn main() { }', KEY)).toBe(
      'The latest check failed and the source changed since; check again.',
    );
  });

  it('refuses after an edit or a config change since the passing check', () => {
    const edited = { ...compiled, source: 'fn main() { }' };
    expect(runBlocker(edited, checked(true), 'fn main() { }', KEY)).toBe(
      'The source changed since the last passing check; check again.',
    );
    expect(runBlocker(compiled, checked(true), SRC, 'B2 H1 S64 D32')).toBe(
      'The Run form config changed since the last passing check; check again.',
    );
  });

  it('puts the compile first: a broken shader is refused for not compiling', () => {
    const broken: CompileState = { state: 'errors', source: SRC, messages: [] };
    expect(runBlocker(broken, checked(true), SRC, KEY)).toMatch(/does not compile/);
  });

  it('refuses after a check that could not run', () => {
    const error: CheckState = { state: 'error', source: SRC, configKey: KEY, message: 'lost' };
    expect(runBlocker(compiled, error, SRC, KEY)).toBe(
      'The latest check could not run (lost); check again.',
    );
  });
});

describe('check notes and device loss', () => {
  it('reads the first mismatch of a check note', () => {
    expect(
      firstMismatch('first mismatch at [b=0, h=1, s=17, d=3] (got 0.25, want 0.731000)'),
    ).toEqual({ b: 0, h: 1, row: 17, col: 3, got: '0.25', want: '0.731000' });
    expect(
      firstMismatch(
        'non-finite output (the NaN poison was not overwritten?) at [b=1, h=0, s=0, d=0] (got NaN, want 1.00000)',
      ),
    ).toMatchObject({ b: 1, h: 0, row: 0, col: 0, got: 'NaN' });
    expect(firstMismatch(undefined)).toBeNull();
    expect(firstMismatch('all fine')).toBeNull();
  });

  it('recognises a lost device in engine messages', () => {
    expect(
      isDeviceLoss(
        'correctness check: the GPU device was lost (unknown: hang); re-initialise the engine to continue',
      ),
    ).toBe(true);
    expect(isDeviceLoss('compile error at line 3')).toBe(false);
  });
});
