/**
 * Whether the Kernel view may check or run the source in the editor: a shader that does not
 * compile never runs, and a run needs a passing check of this exact source with this config.
 * Pure functions over tagged unions, so the rules are tested without an editor or a GPU.
 */
import type { Correctness } from '../../model/index.ts';
import type { CompileMessage } from '../../worker/api.ts';

/** The compile of a source, as the editor last learned it. */
export type CompileState =
  | { state: 'idle' }
  | { state: 'compiling'; source: string }
  | {
      state: 'compiled';
      source: string;
      /** Kernel id the header (or the name) gives it. */
      kernel: string;
      /** Warnings and infos (no errors). */
      messages: CompileMessage[];
    }
  | { state: 'errors'; source: string; messages: CompileMessage[] }
  | {
      /** The engine could not compile at all (no WebGPU, device lost, config refused). */
      state: 'unavailable';
      source: string;
      reason: string;
    };

/** The latest check of the editor's kernel. */
export type CheckState =
  | { state: 'none' }
  | { state: 'checking'; source: string; configKey: string; seed: number }
  | {
      state: 'done';
      source: string;
      configKey: string;
      seed: number;
      correctness: Correctness;
    }
  | { state: 'error'; source: string; configKey: string; message: string };

/** Why the source cannot be checked (or run) because of its compile; null when it compiled. */
export function compileBlocker(compile: CompileState, source: string): string | null {
  if (compile.state === 'idle' || compile.source !== source || compile.state === 'compiling') {
    return 'Compiling…';
  }
  if (compile.state === 'errors') {
    const n = compile.messages.filter((m) => m.type === 'error').length;
    return `The shader does not compile (${n} ${n === 1 ? 'error' : 'errors'}); fix ${n === 1 ? 'it' : 'them'} first.`;
  }
  if (compile.state === 'unavailable') return compile.reason;
  return null;
}

/** Why Check is disabled, or null. */
export function checkBlocker(
  compile: CompileState,
  check: CheckState,
  source: string,
): string | null {
  if (check.state === 'checking') return 'Checking…';
  return compileBlocker(compile, source);
}

/**
 * Why Run is refused, or null: it needs a compiled source whose latest check passed, with no
 * edit and no config change since.
 */
export function runBlocker(
  compile: CompileState,
  check: CheckState,
  source: string,
  configKey: string | null,
): string | null {
  if (configKey === null) return 'The Run form has invalid fields; fix them on the Run tab.';
  const compiled = checkBlocker(compile, check, source);
  if (compiled !== null) return compiled;
  if (check.state === 'none') return 'Check it first: a run needs a passing check of this source.';
  if (check.state === 'error') {
    return check.source === source
      ? `The latest check could not run (${check.message}); check again.`
      : 'The source changed since the last check; check again.';
  }
  if (check.state === 'done' && !check.correctness.passed) {
    return check.source === source
      ? 'The latest check failed: the output does not match the f64 reference. Fix the kernel and check again.'
      : 'The latest check failed and the source changed since; check again.';
  }
  if (check.source !== source)
    return 'The source changed since the last passing check; check again.';
  if (check.configKey !== configKey) {
    return 'The Run form config changed since the last passing check; check again.';
  }
  return null;
}

/** True when an engine message says the GPU device was lost (a bad shader can hang the GPU). */
export function isDeviceLoss(message: string): boolean {
  return /device (was )?lost|GPU device was lost|DeviceLost/i.test(message);
}

/** The first element a failed check found wrong, as the view shows it. */
export interface Mismatch {
  b: number;
  h: number;
  /** Query row (s). */
  row: number;
  /** Column within the head dim (d). */
  col: number;
  /** What the kernel wrote and what f64 says, as the check note words them. */
  got: string;
  want: string;
}

/**
 * The first mismatching element from a check note (`first mismatch at [b=0, h=1, s=5, d=3] (got
 * …, want …)`, or a non-finite one); null when the note names none.
 */
export function firstMismatch(note: string | undefined): Mismatch | null {
  const m = /at \[b=(\d+), h=(\d+), s=(\d+), d=(\d+)\] \(got ([^,]+), want ([^)]+)\)/.exec(
    note ?? '',
  );
  if (!m) return null;
  return {
    b: Number(m[1]),
    h: Number(m[2]),
    row: Number(m[3]),
    col: Number(m[4]),
    got: m[5] ?? '',
    want: m[6] ?? '',
  };
}
