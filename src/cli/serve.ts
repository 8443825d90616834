/**
 * `attnlab serve`: starts the native runner's WebSocket server so the lab (or any client) can run
 * the cuda, sdpa and cpu backends of this machine. The first stdout line is machine-readable:
 * `attnlab runner listening on ws://HOST:PORT`.
 */
import { Command } from 'commander';
import { checkToken, startServer } from '../../native-runner/src/server/index.ts';
import type { RunningServer, ServerOptions } from '../../native-runner/src/server/index.ts';
import { CliError } from './errors.ts';
import { parseDuration } from './options.ts';

interface ServeFlags {
  host: string;
  port: string;
  token?: string;
  allowOrigin?: string[];
  results: string;
  jobTimeout: string;
  queueLimit: string;
  clientQueueLimit: string;
  devices?: string;
}

/** Environment variable read when --token is not given (keeps the token out of `ps`). */
export const TOKEN_ENV = 'ATTNLAB_TOKEN';

/** Option names of `startServer` as the flags that set them. */
const FLAG_OF: Record<string, string> = {
  host: '--host',
  port: '--port',
  token: '--token',
  allowOrigin: '--allow-origin',
  jobTimeoutMs: '--job-timeout',
  queueLimit: '--queue-limit',
  clientQueueLimit: '--client-queue-limit',
  resultsDir: '--results',
  devices: '--devices',
};

function intFlag(flag: string, text: string, min: number, max: number): number {
  const value = /^\d+$/.test(text.trim()) ? Number.parseInt(text, 10) : Number.NaN;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new CliError(`${flag}: expected an integer in ${min}..${max}, got "${text}"`);
  }
  return value;
}

/** Builds `startServer` options from the flags, naming the flag in every error. */
export function serveOptions(
  flags: ServeFlags,
  env: NodeJS.ProcessEnv = process.env,
): ServerOptions {
  const jobTimeoutMs = Math.round(parseDuration('job-timeout', flags.jobTimeout));
  if (jobTimeoutMs < 1000 || jobTimeoutMs > 86_400_000) {
    throw new CliError(
      `--job-timeout: expected a duration from 1s to 24h, got "${flags.jobTimeout}"`,
    );
  }
  const token = flags.token ?? env[TOKEN_ENV];
  if (token !== undefined && token !== '') {
    try {
      checkToken(token);
    } catch (err) {
      const from = flags.token !== undefined ? '--token' : TOKEN_ENV;
      throw new CliError((err as Error).message.replace(/^token:/, `${from}:`));
    }
  }
  return {
    host: flags.host,
    port: intFlag('--port', flags.port, 0, 65535),
    ...(token !== undefined && token !== '' ? { token } : {}),
    allowOrigins: flags.allowOrigin ?? [],
    resultsDir: flags.results,
    jobTimeoutMs,
    queueLimit: intFlag('--queue-limit', flags.queueLimit, 0, 10_000),
    clientQueueLimit: intFlag('--client-queue-limit', flags.clientQueueLimit, 1, 10_000),
    ...(flags.devices !== undefined ? { devices: flags.devices } : {}),
  };
}

/** The banner printed after the first line: backends, how to connect, where results go. */
export function formatBanner(server: RunningServer): string {
  const lines: string[] = [];
  const width = Math.max(...server.backends.map((b) => b.id.length), 4);
  lines.push('backends:');
  for (const b of server.backends) {
    const kernels = b.kernels.filter((k) => k.available).map((k) => k.id);
    lines.push(
      b.available
        ? `  ${b.id.padEnd(width)}  ${b.device ?? 'available'} · kernels: ${kernels.join(', ') || 'none'}`
        : `  ${b.id.padEnd(width)}  unavailable: ${b.reason ?? 'no reason given'}`,
    );
  }
  if (server.devices.length > 0) {
    lines.push(`gpus (one lane each):`);
    for (const d of server.devices) {
      const mem = d.memoryBytes === null ? '' : ` · ${Math.round(d.memoryBytes / 2 ** 30)} GiB`;
      lines.push(`  ${d.index}  ${d.name}${mem} · ${d.uuid} · ${d.pciBusId}`);
    }
  }
  lines.push(`connect: ${server.connectUrl}`);
  if (server.anyOrigin && server.token === undefined) {
    lines.push(
      `WARNING: --allow-origin '*' without a token: any web page open in a browser on this machine can run jobs on this runner; name the lab's origin instead, or set --token`,
    );
  }
  if (server.tokenGenerated) {
    lines.push(
      `  (a token was generated because --host ${server.host} is reachable from other machines; pass --token or ${TOKEN_ENV} to choose one)`,
    );
  }
  lines.push(
    server.token === undefined
      ? `lab: in the Runners view of the lab ("npm start"), add ${server.url}`
      : `lab: in the Runners view of the lab ("npm start"), add ${server.url} with token ${server.token}`,
  );
  lines.push(`results: ${server.resultsDir}`);
  lines.push('stop: Ctrl-C (running jobs are cancelled and their partial results saved)');
  return lines.join('\n') + '\n';
}

async function action(flags: ServeFlags): Promise<void> {
  const options = serveOptions(flags);
  let server: RunningServer;
  try {
    server = await startServer(options);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const option = /^(\w+):/.exec(message)?.[1];
    const flag = option !== undefined ? FLAG_OF[option] : undefined;
    // An error naming an option is bad input (exit 2); anything else (a port in use) is 1.
    if (flag !== undefined) throw new CliError(message.replace(/^\w+:/, `${flag}:`), 2);
    throw new CliError(message, 1);
  }
  process.stdout.write(`attnlab runner listening on ${server.url}\n`);
  process.stdout.write(formatBanner(server));
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) {
        process.stderr.write(`attnlab runner: ${signal} again, exiting now\n`);
        process.exit(130);
      }
      stopping = true;
      process.stderr.write(`attnlab runner: ${signal}, cancelling jobs and shutting down\n`);
      void server.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** Registers `attnlab serve`. */
export function registerServe(program: Command): void {
  const cmd = new Command('serve')
    .description(
      "Serve this machine's native backends (cuda, sdpa, cpu) to the lab over a WebSocket: one job per device, results saved as they finish.",
    )
    .option('--host <addr>', 'address to bind; a non-loopback host requires a token', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0: any free port)', '8765')
    .option(
      '--token <t>',
      `token clients must present (or set ${TOKEN_ENV}); generated for a non-loopback --host`,
    )
    .option(
      '--allow-origin <url...>',
      'browser origins allowed besides http://localhost:* and http://127.0.0.1:* (* for any)',
    )
    .option('--results <dir>', 'folder for result files', 'results')
    .option('--job-timeout <dur>', 'stop a job that runs longer than this, e.g. 90s or 10m', '10m')
    .option('--queue-limit <n>', 'runs that may wait per device', '64')
    .option(
      '--devices <list>',
      'GPUs to serve, one lane each: indices or UUIDs, e.g. 0,1 (default: all)',
    )
    .option(
      '--client-queue-limit <n>',
      'runs one client may have waiting (all devices together), so no client fills the queue',
      '16',
    )
    .action(action);
  program.addCommand(cmd);
}
