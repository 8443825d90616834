/** Runs the real `attnlab` binary (bin/attnlab.js) in a child process, as a user would. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/attnlab.js', import.meta.url));

/** Exit code and output of one CLI invocation. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `attnlab ...args` and resolves with its exit code and output (never rejects on exit ≠ 0). */
export function attnlab(args: string[], options: { timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
