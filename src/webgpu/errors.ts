/**
 * The engine's one error type: a protocol error code (so the runner and the lab can show it the
 * same way), a message that names the field and the numbers, and optional help text.
 */
import type { ErrorCode } from '../model/index.ts';

/** A refusal or failure of the WebGPU engine. */
export class EngineError extends Error {
  /** Protocol error code, e.g. `unknown-kernel`, `too-large-for-device`, `unsupported`. */
  readonly code: ErrorCode;
  /** What the user can do about it, when there is something (e.g. what to install). */
  readonly help: string | undefined;

  constructor(code: ErrorCode, message: string, help?: string) {
    super(message);
    this.name = 'EngineError';
    this.code = code;
    this.help = help;
  }
}

/** The error's code when it is an EngineError, else `internal`. */
export function errorCodeOf(err: unknown): ErrorCode {
  return err instanceof EngineError ? err.code : 'internal';
}

/** The error's message (and help) as one line. */
export function errorMessageOf(err: unknown): string {
  if (err instanceof EngineError) return err.help ? `${err.message} — ${err.help}` : err.message;
  if (err instanceof Error) return err.message !== '' ? err.message : `${err.name} (no message)`;
  return String(err);
}
