/** An error the CLI reports as one line on stderr with a chosen exit code (no stack trace). */
export class CliError extends Error {
  /**
   * Process exit code: 2 for unreadable input, bad flags and usage errors; 1 for a regression
   * under --fail-on-regression or a run that failed.
   */
  readonly exitCode: number;

  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}
