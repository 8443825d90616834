/** An error the CLI reports as one line on stderr with a chosen exit code (no stack trace). */
export class CliError extends Error {
  /** Process exit code: 2 for unreadable input or bad flags, 1 for failures. */
  readonly exitCode: number;

  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}
