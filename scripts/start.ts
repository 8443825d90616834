/**
 * `npm start`: the lab (Vite) and a local native runner together, connected. The runner serves
 * this machine's backends (CUDA when present, otherwise the CPU backend) on a free loopback port
 * with a fresh token; the lab gets both through Vite env variables and connects on load.
 *
 *   npm start                          lab on :5173 (or the next free port), runner on a free port
 *   npm start -- --port 0              lab on a free port too (the URL is printed)
 *   npm start -- --no-runner           the lab alone
 *
 * Stop with Ctrl-C: running jobs are cancelled and the runner saves their partial results.
 */
import { parseArgs } from 'node:util';
import { createServer, type ViteDevServer } from 'vite';
import { generateToken, startServer } from '../native-runner/src/server/index.ts';
import type { RunningServer } from '../native-runner/src/server/index.ts';

function fail(message: string): never {
  process.stderr.write(`attnlab start: ${message}\n`);
  process.exit(2);
}

function portArg(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    fail(`--${name}: expected a port in 0..65535 (0: any free port), got "${text}"`);
  }
  return value;
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string', default: '127.0.0.1' },
        'runner-port': { type: 'string' },
        'no-runner': { type: 'boolean', default: false },
        'no-watch': { type: 'boolean', default: false },
        results: { type: 'string', default: 'results' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    });
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
})();

if (values.help) {
  process.stdout.write(
    [
      'usage: npm start -- [--port N] [--host ADDR] [--runner-port N] [--no-runner] [--results DIR]',
      '  --port N          lab port (default 5173, next free one if taken; 0: any free port)',
      '  --host ADDR       lab address (default 127.0.0.1)',
      '  --runner-port N   local runner port (default 0: any free port)',
      '  --no-runner       start the lab without a local runner',
      '  --no-watch        no file watching or hot reload (browser tests in a busy tree)',
      '  --results DIR     where the runner saves result files (default results/)',
      '',
    ].join('\n'),
  );
  process.exit(0);
}

const labPort = portArg('port', values.port, 5173);
const runnerPort = portArg('runner-port', values['runner-port'], 0);

let runner: RunningServer | null = null;
let vite: ViteDevServer | null = null;

async function shutdown(code: number): Promise<void> {
  await Promise.allSettled([vite?.close(), runner?.close()]);
  process.exit(code);
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write(`attnlab start: ${signal}, stopping the lab and the runner\n`);
    void shutdown(0);
  });
}

try {
  if (!values['no-runner']) {
    const token = generateToken();
    runner = await startServer({
      host: '127.0.0.1',
      port: runnerPort,
      token,
      resultsDir: values.results,
      log: (line) => process.stderr.write(`runner: ${line}\n`),
    });
    process.env.VITE_ATTNLAB_RUNNER_URL = runner.url;
    process.env.VITE_ATTNLAB_RUNNER_TOKEN = token;
  }
  vite = await createServer({
    server: {
      host: values.host,
      port: labPort,
      strictPort: values.port !== undefined,
      ...(values['no-watch'] ? { hmr: false, watch: null } : {}),
    },
    clearScreen: false,
  });
  await vite.listen();
  const url = vite.resolvedUrls?.local[0] ?? `http://${values.host}:${labPort}/`;
  process.stdout.write(`attnlab lab: ${url}\n`);
  if (runner) {
    process.stdout.write(
      `attnlab runner listening on ${runner.url} (the lab connects to it on load)\n`,
    );
    for (const b of runner.backends) {
      process.stdout.write(
        b.available
          ? `  ${b.id}: ${b.device ?? 'available'} · kernels: ${b.kernels.map((k) => k.id).join(', ') || 'none'}\n`
          : `  ${b.id}: unavailable — ${b.reason ?? 'no reason given'}\n`,
      );
    }
  }
  process.stdout.write('stop: Ctrl-C\n');
} catch (err) {
  process.stderr.write(`attnlab start: ${err instanceof Error ? err.message : String(err)}\n`);
  await shutdown(1);
}
