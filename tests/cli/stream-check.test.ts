/**
 * `npm run stream-check` (scripts/stream-check.ts) as a user runs it: a child process talking to
 * a real runner on a real socket.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../native-runner/src/server/testing/setup.ts';
import type { TestServer } from '../../native-runner/src/server/testing/setup.ts';
import { fakeBackend } from '../../native-runner/src/server/testing/fake-backends.ts';

const SCRIPT = fileURLToPath(new URL('../../scripts/stream-check.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url));

function streamCheck(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', `file://${TSX}`, SCRIPT, ...args],
      { timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          stdout,
          stderr,
        });
      },
    );
  });
}

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ fakes: [fakeBackend({ id: 'fake', tickMs: 20 })] });
});
afterAll(async () => {
  await t.stop();
});

describe('stream-check', () => {
  it('prints the streamed batches and the finished run, and exits 0', async () => {
    const run = await streamCheck([
      '--url',
      t.server.url,
      '--backend',
      'fake',
      '--kernel',
      'stream',
      '--shape',
      '1,2,64,32',
      '--iterations',
      '40',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/welcome runner .* backends fake/);
    expect(run.stdout).toMatch(/samples seq=0 /);
    const total = [...run.stdout.matchAll(/samples seq=\d+ n=\d+ total=(\d+)/g)].map((m) =>
      Number(m[1]),
    );
    // The fake streams batches of 1–3 samples, so it may pass 40 by two; every streamed sample
    // is in the result.
    const done = /runDone completed, (\d+) samples, median \d/.exec(run.stdout);
    expect(done).not.toBeNull();
    expect(total.at(-1)).toBe(Number(done?.[1]));
    expect(total.at(-1)).toBeGreaterThanOrEqual(40);
    expect(total.at(-1)).toBeLessThanOrEqual(42);
  });

  it('exits 1 and prints the runner error for a kernel the backend lacks', async () => {
    const run = await streamCheck(['--url', t.server.url, '--backend', 'fake', '--kernel', 'nope']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/error unknown-kernel: .*nope/);
  });

  it('refuses a bad --shape naming the flag, before connecting', async () => {
    const run = await streamCheck(['--url', 'ws://127.0.0.1:9', '--shape', '1,2,0,64']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--shape: expected B,H,S,D');
  });
});
