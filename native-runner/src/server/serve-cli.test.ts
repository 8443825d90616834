/**
 * `attnlab serve` as a user (or a parent process) runs it: the first stdout line gives the port,
 * a client can run a job on the real cpu backend, Ctrl-C shuts it down cleanly; bad flags and a
 * busy port exit with one clear line.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../src/node/host.ts';
import { TOKEN_ENV, formatBanner, serveOptions } from '../../../src/cli/serve.ts';
import { TestClient, is } from './testing/client.ts';
import { startTestServer } from './testing/setup.ts';

const BIN = join(REPO_ROOT, 'bin', 'attnlab.js');

interface Served {
  url: string;
  lines: string[];
  stderr: () => string;
  exit: Promise<number | null>;
  kill: (signal: NodeJS.Signals) => void;
}

/** Starts `attnlab serve` and resolves once its first line names the URL. */
function serve(args: string[]): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr += chunk));
  const exit = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      resolve(code);
    });
  });
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.on('line', (line) => {
      lines.push(line);
      const m = /^attnlab runner listening on (ws:\/\/\S+)$/.exec(lines[0] ?? '');
      if (lines.length === 1) {
        if (m?.[1]) {
          resolve({
            url: m[1],
            lines,
            stderr: () => stderr,
            exit,
            kill: (s) => child.kill(s),
          });
        } else reject(new Error(`unexpected first line: ${line}`));
      }
    });
    void exit.then((code) => {
      reject(new Error(`serve exited with ${String(code)} before listening: ${stderr}`));
    });
  });
}

/** Runs `attnlab serve` expecting it to fail; returns its exit code and stderr. */
async function serveFails(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { cwd: REPO_ROOT });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, stderr };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attnlab-serve-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('attnlab serve', () => {
  it('prints its URL first, serves a cpu run, and shuts down cleanly on SIGINT', async () => {
    const s = await serve(['--port', '0', '--results', dir]);
    expect(s.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    const c = await TestClient.open(s.url);
    c.send({ type: 'hello' });
    const welcome = await c.waitFor(is.welcome);
    expect(welcome.backends.find((b) => b.id === 'cpu')?.available).toBe(true);
    expect(welcome.backends.filter((b) => !b.available && (b.reason ?? '') === '')).toEqual([]);
    c.send({
      type: 'run',
      id: 'cli-run',
      backend: 'cpu',
      kernel: 'cpu-naive-f32',
      config: { batch: 1, heads: 1, seqLen: 32, headDim: 32, causal: false, dtype: 'f32' },
      stop: { kind: 'count', iterations: 5 },
    });
    const done = await c.final('cli-run', 60_000);
    expect(done.type).toBe('runDone');
    expect(await readdir(dir)).toEqual([
      expect.stringMatching(/-cpu-cpu-naive-f32-cli-run\.json$/),
    ]);
    s.kill('SIGINT');
    expect(await s.exit).toBe(0);
    expect((await c.closed).code).toBe(1001);
    expect(s.stderr()).toMatch(/SIGINT, cancelling jobs and shutting down/);
    expect(s.lines.join('\n')).toMatch(/cpu .*kernels: cpu-flash-f32, cpu-naive-f32/);
    expect(s.lines.join('\n')).toMatch(/cuda +unavailable: \S/);
  }, 90_000);

  it('exits 2 naming the flag for bad flags, and 1 when the port is taken', async () => {
    const notAFolder = join(dir, 'a-file');
    await writeFile(notAFolder, 'x');
    const [badPort, badTimeout, badToken, badResults] = await Promise.all([
      serveFails(['--port', '99999']),
      serveFails(['--job-timeout', 'soon']),
      serveFails(['--token', 'short', '--port', '0']),
      serveFails(['--results', notAFolder, '--port', '0']),
    ]);
    expect(badResults.code).toBe(2);
    expect(badResults.stderr).toMatch(/^attnlab: --results: .*a-file is not a writable folder: /);
    expect(badPort).toEqual({
      code: 2,
      stderr: 'attnlab: --port: expected an integer in 0..65535, got "99999"\n',
    });
    expect(badTimeout.code).toBe(2);
    expect(badTimeout.stderr).toMatch(/--job-timeout: expected a duration like 10s/);
    expect(badToken).toEqual({
      code: 2,
      stderr: 'attnlab: --token: must be 8..256 printable ASCII characters without spaces\n',
    });
    const busy = await startTestServer();
    try {
      const taken = await serveFails(['--port', String(busy.server.port), '--results', dir]);
      expect(taken.code).toBe(1);
      expect(taken.stderr).toMatch(
        `cannot listen: port ${busy.server.port} on 127.0.0.1 is in use`,
      );
    } finally {
      await busy.stop();
    }
  }, 60_000);
});

describe('flags and banner', () => {
  const flags = {
    host: '127.0.0.1',
    port: '0',
    results: 'r',
    jobTimeout: '90s',
    queueLimit: '8',
    clientQueueLimit: '4',
  };

  it('maps flags to server options, reading the token from the environment when not given', () => {
    expect(serveOptions(flags, {})).toEqual({
      host: '127.0.0.1',
      port: 0,
      allowOrigins: [],
      resultsDir: 'r',
      jobTimeoutMs: 90_000,
      queueLimit: 8,
      clientQueueLimit: 4,
    });
    expect(serveOptions(flags, { [TOKEN_ENV]: 'from-the-env' }).token).toBe('from-the-env');
    expect(serveOptions({ ...flags, token: 'from-flag-1' }, { [TOKEN_ENV]: 'x' }).token).toBe(
      'from-flag-1',
    );
    expect(() => serveOptions(flags, { [TOKEN_ENV]: 'has space' })).toThrow(
      `${TOKEN_ENV}: must be 8..256 printable ASCII characters without spaces`,
    );
    expect(() => serveOptions({ ...flags, jobTimeout: '10ms' }, {})).toThrow(
      '--job-timeout: expected a duration from 1s to 24h, got "10ms"',
    );
  });

  it('shows the ready URL with the token, and says when the token was generated', async () => {
    const t = await startTestServer({ host: '0.0.0.0' });
    try {
      const banner = formatBanner(t.server);
      expect(banner).toContain(`connect: ${t.server.connectUrl}`);
      expect(t.server.connectUrl).toContain(`?token=${t.server.token ?? 'missing'}`);
      expect(banner).toMatch(/a token was generated because --host 0\.0\.0\.0/);
      expect(banner).toContain(`add ${t.server.url} with token ${t.server.token ?? 'missing'}`);
      expect(banner).toMatch(/fake +fake device · kernels: stream, hang/);
    } finally {
      await t.stop();
    }
  });
});
