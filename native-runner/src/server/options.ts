/**
 * Options of `startServer` with their defaults and bounds. Every bad value is refused with the
 * option's name and its allowed range before anything binds or launches.
 */
import type { DeviceInfo } from '../../../src/model/index.ts';
import type { Backend } from '../backend.ts';

/** Options of `startServer`. */
export interface ServerOptions {
  /** Address to bind; default 127.0.0.1. A non-loopback host gets a generated token if none given. */
  host?: string;
  /** Port, 0..65535 (0: any free port); default 8765. */
  port?: number;
  /** Token clients must present (8..256 printable ASCII characters, no spaces). */
  token?: string;
  /** Origins allowed besides loopback ones (`*`: any). */
  allowOrigins?: readonly string[];
  /** Folder for result files; default `./results`. */
  resultsDir?: string;
  /** Wall-time limit of one running job, ms (1..86400000); default 10 minutes. */
  jobTimeoutMs?: number;
  /** Runs that may wait per lane (0..10000); default 64. */
  queueLimit?: number;
  /** Runs one client may have waiting, all lanes together (1..10000); default 16. */
  clientQueueLimit?: number;
  /** The backends to serve; default: the registry's `createBackends()`. */
  backends?: readonly Backend[];
  /**
   * Device lane of a backend; default: `cpu` for the cpu backend, `gpu` for all others. `gpu`
   * backends get one lane per GPU when the host has GPUs (see `devices`).
   */
  laneOf?: (backendId: string) => string;
  /** GPUs to serve: `all` (default) or a list of indices/UUIDs, e.g. `0,1`. */
  devices?: string;
  /** The host's GPUs; default: discovered with nvidia-smi (tests inject fakes). */
  gpus?: readonly DeviceInfo[];
  /** Grace a backend gets to end a cancelled job before the runner ends it, ms; default 5000. */
  cancelGraceMs?: number;
  /** Longest time a sample waits before it is sent, ms (1..100); default 50. */
  flushMs?: number;
  /** Limit on each backend's discovery, ms; default 30000. */
  discoverTimeoutMs?: number;
  /** Passed to backends: kill a job when its harness is silent this long, ms. */
  idleTimeoutMs?: number;
  /** Most simultaneous connections (1..10000); default 256. */
  maxConnections?: number;
  /** Most simultaneous connections from one remote address (1..10000); default 32. */
  maxConnectionsPerAddress?: number;
  /** A client that has not authenticated this long after connecting is closed, ms; default 5000. */
  helloTimeoutMs?: number;
  /** Failed `hello`s (wrong or missing token) after which a client is closed (1..100); default 3. */
  maxFailedHellos?: number;
  /**
   * Outbound bytes a client may leave unread (counting each queued message's overhead) before
   * it is disconnected, 1 MiB..1 GiB; default 16 MiB. One message alone is always let through.
   */
  maxBufferedBytes?: number;
  /** Runner id; default `<hostname>-<random>`. */
  runnerId?: string;
  /** Where log lines go; default stderr. */
  log?: (line: string) => void;
}

/** Options with defaults applied (runnerId stays optional: the server makes one). */
export type ResolvedOptions = Required<
  Omit<ServerOptions, 'token' | 'idleTimeoutMs' | 'runnerId' | 'gpus'>
> & {
  /** The host's GPUs when injected; undefined: discover them. */
  gpus: readonly DeviceInfo[] | undefined;
  /** Token clients must present; undefined: none given. */
  token: string | undefined;
  /** Passed to backends; undefined: the backend's default. */
  idleTimeoutMs: number | undefined;
  /** Runner id; undefined: the server makes one. */
  runnerId: string | undefined;
};

/** Default lanes: the CPU backend has its own; every other backend shares the GPU. */
export function defaultLaneOf(backendId: string): string {
  return backendId === 'cpu' ? 'cpu' : 'gpu';
}

function intIn(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new Error(`${name}: must be an integer in ${min}..${max} (got ${String(value)})`);
  }
  return v;
}

/** Checks a token: 8..256 printable ASCII characters without spaces. */
export function checkToken(token: string): string {
  if (!/^[\x21-\x7e]{8,256}$/.test(token)) {
    throw new Error('token: must be 8..256 printable ASCII characters without spaces');
  }
  return token;
}

/** Applies defaults and checks bounds; loads the registry's backends when none are given. */
export async function resolveOptions(options: ServerOptions): Promise<ResolvedOptions> {
  const host = (options.host ?? '127.0.0.1').trim();
  if (host === '') throw new Error('host: must be an address or host name, e.g. 127.0.0.1');
  const day = 86_400_000;
  const backends = options.backends ?? (await import('../registry.ts')).createBackends();
  return {
    host,
    port: intIn('port', options.port, 8765, 0, 65535),
    token: options.token === undefined ? undefined : checkToken(options.token),
    allowOrigins: options.allowOrigins ?? [],
    resultsDir: options.resultsDir ?? 'results',
    jobTimeoutMs: intIn('jobTimeoutMs', options.jobTimeoutMs, 600_000, 1, day),
    queueLimit: intIn('queueLimit', options.queueLimit, 64, 0, 10_000),
    clientQueueLimit: intIn('clientQueueLimit', options.clientQueueLimit, 16, 1, 10_000),
    backends,
    laneOf: options.laneOf ?? defaultLaneOf,
    devices: options.devices ?? 'all',
    gpus: options.gpus,
    cancelGraceMs: intIn('cancelGraceMs', options.cancelGraceMs, 5000, 1, 600_000),
    flushMs: intIn('flushMs', options.flushMs, 50, 1, 100),
    discoverTimeoutMs: intIn('discoverTimeoutMs', options.discoverTimeoutMs, 30_000, 1, 600_000),
    idleTimeoutMs:
      options.idleTimeoutMs === undefined
        ? undefined
        : intIn('idleTimeoutMs', options.idleTimeoutMs, 0, 1, day),
    maxConnections: intIn('maxConnections', options.maxConnections, 256, 1, 10_000),
    maxConnectionsPerAddress: intIn(
      'maxConnectionsPerAddress',
      options.maxConnectionsPerAddress,
      32,
      1,
      10_000,
    ),
    helloTimeoutMs: intIn('helloTimeoutMs', options.helloTimeoutMs, 5000, 1, 600_000),
    maxFailedHellos: intIn('maxFailedHellos', options.maxFailedHellos, 3, 1, 100),
    maxBufferedBytes: intIn(
      'maxBufferedBytes',
      options.maxBufferedBytes,
      16 << 20,
      1 << 20,
      1 << 30,
    ),
    runnerId: options.runnerId,
    log:
      options.log ??
      ((line: string) => {
        process.stderr.write(`attnlab runner: ${line}\n`);
      }),
  };
}
