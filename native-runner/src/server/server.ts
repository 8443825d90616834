/**
 * The runner's WebSocket server: an HTTP server that only upgrades, checking Origin and token
 * before the WebSocket exists, then one `Connection` per client over a shared `Runner`.
 */
import { STATUS_CODES, createServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { MAX_MESSAGE_BYTES } from '../../../src/model/index.ts';
import type { BackendInfo, DeviceInfo } from '../../../src/model/index.ts';
import { generateToken, isLoopbackHost, originAllowed, originPolicy, tokensEqual } from './auth.ts';
import { Connection } from './connection.ts';
import { resolveOptions } from './options.ts';
import type { ServerOptions } from './options.ts';
import { Runner } from './runner.ts';
import { clip } from './wire.ts';

/** A started runner server. */
export interface RunningServer {
  /** WebSocket URL without the token, e.g. `ws://127.0.0.1:8765`. */
  url: string;
  /** URL a client can use as is: with `?token=…` when the runner has a token. */
  connectUrl: string;
  /** Bound address. */
  host: string;
  /** Bound port (the real one when 0 was asked for). */
  port: number;
  /** The token clients must present; undefined when none is required. */
  token: string | undefined;
  /** True when the token was generated here (not given), so it must be shown to the user. */
  tokenGenerated: boolean;
  /** This runner's id. */
  runnerId: string;
  /** Absolute path of the results folder. */
  resultsDir: string;
  /** What each backend offers. */
  backends: readonly BackendInfo[];
  /** The GPUs served, one lane each (empty: GPU backends share one lane). */
  devices: readonly DeviceInfo[];
  /** True when `--allow-origin '*'` lets any browser page connect. */
  anyOrigin: boolean;
  /** Cancels every job (results written), closes every connection and stops listening. */
  close(): Promise<void>;
}

/** `host` as it goes in a URL: IPv6 in brackets, wildcard addresses as this machine's name. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return hostname();
  return host.includes(':') ? `[${host}]` : host;
}

function reject(socket: Duplex, status: number, text: string): void {
  const body = `${text}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\n` +
      `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

function remoteLabel(req: IncomingMessage): string {
  const { remoteAddress, remotePort } = req.socket;
  return `client ${remoteAddress ?? '?'}:${remotePort ?? '?'}`;
}

/**
 * Starts a runner: binds (127.0.0.1:8765 by default), discovers the backends and serves the
 * runner protocol. A non-loopback host gets a generated token when none is given. It binds
 * before discovering so that a busy port fails at once; a client that connects during
 * discovery waits at the upgrade until the runner is ready.
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const opts = await resolveOptions(options);
  const { log } = opts;
  const policy = originPolicy(opts.allowOrigins);
  const tokenGenerated = opts.token === undefined && !isLoopbackHost(opts.host);
  const token = tokenGenerated ? generateToken() : opts.token;
  const runnerId = opts.runnerId ?? `${hostname()}-${randomBytes(3).toString('hex')}`;
  let resolveReady: (runner: Runner) => void = () => undefined;
  let rejectReady: (err: unknown) => void = () => undefined;
  const ready = new Promise<Runner>((resolve, rejectPromise) => {
    resolveReady = resolve;
    rejectReady = rejectPromise;
  });
  ready.catch(() => undefined);

  const connections = new Set<Connection>();
  /** Open (or upgrading) connections per remote address. */
  const perAddress = new Map<string, number>();
  let closing = false;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    perMessageDeflate: false,
    clientTracking: false,
  });
  const http = createServer((_req, res) => {
    res.writeHead(426, { 'Content-Type': 'text/plain; charset=utf-8', Upgrade: 'websocket' });
    res.end('attnlab runner: connect with a WebSocket client (the lab or the attnlab CLI)\n');
  });
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (err) => {
      log(`${remoteLabel(req)}: socket error: ${err.message}`);
    });
    if (closing) {
      reject(socket, 503, 'the runner is shutting down');
      return;
    }
    const origin = req.headers.origin;
    if (!originAllowed(policy, origin)) {
      log(`${remoteLabel(req)}: refused origin ${clip(String(origin), 200)}`);
      reject(
        socket,
        403,
        `origin ${clip(String(origin), 200)} is not allowed; start the runner with --allow-origin <that origin>`,
      );
      return;
    }
    let authed = token === undefined;
    const presented = new URL(req.url ?? '/', 'http://runner').searchParams.get('token');
    if (presented !== null && token !== undefined) {
      if (!tokensEqual(presented, token)) {
        log(`${remoteLabel(req)}: refused a wrong token`);
        reject(socket, 401, 'wrong token');
        return;
      }
      authed = true;
    }
    if (connections.size >= opts.maxConnections) {
      reject(socket, 503, `the runner already serves ${opts.maxConnections} connections`);
      return;
    }
    const address = req.socket.remoteAddress ?? '?';
    const fromAddress = perAddress.get(address) ?? 0;
    if (fromAddress >= opts.maxConnectionsPerAddress) {
      log(`${remoteLabel(req)}: refused: already ${fromAddress} connections from this address`);
      reject(
        socket,
        429,
        `this address already has ${opts.maxConnectionsPerAddress} connections to the runner`,
      );
      return;
    }
    // Counted from the upgrade on, so a burst of upgrades during discovery is bounded too.
    perAddress.set(address, fromAddress + 1);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      const n = (perAddress.get(address) ?? 1) - 1;
      if (n <= 0) perAddress.delete(address);
      else perAddress.set(address, n);
    };
    socket.once('close', release);
    ready.then(
      (runner) => {
        if (socket.destroyed) {
          release();
          return;
        }
        wss.handleUpgrade(req, socket, head, (ws) => {
          const connection = new Connection(ws, authed, remoteLabel(req), {
            runner,
            token,
            maxBufferedBytes: opts.maxBufferedBytes,
            helloTimeoutMs: opts.helloTimeoutMs,
            maxFailedHellos: opts.maxFailedHellos,
            clientQueueLimit: opts.clientQueueLimit,
            log,
          });
          connections.add(connection);
          ws.on('close', () => {
            connections.delete(connection);
            release();
          });
        });
      },
      () => {
        reject(socket, 503, 'the runner failed to start');
      },
    );
  });

  await new Promise<void>((resolve, rejectListen) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      const why =
        err.code === 'EADDRINUSE'
          ? `port ${opts.port} on ${opts.host} is in use; choose another with --port (0 picks a free one)`
          : err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND'
            ? `host ${opts.host} is not an address of this machine`
            : err.code === 'EACCES'
              ? `no permission to listen on ${opts.host}:${opts.port}`
              : err.message;
      rejectListen(new Error(`cannot listen: ${why}`));
    };
    http.once('error', onError);
    http.listen(opts.port, opts.host, () => {
      http.off('error', onError);
      resolve();
    });
  });
  http.on('error', (err) => {
    log(`http server error: ${err.message}`);
  });
  const closeHttp = (): Promise<void> =>
    new Promise<void>((resolve) => {
      http.close(() => {
        resolve();
      });
      http.closeAllConnections();
    });
  let runner: Runner;
  try {
    runner = await Runner.create({ ...opts, runnerId });
  } catch (err) {
    rejectReady(err);
    await closeHttp();
    throw err;
  }
  resolveReady(runner);
  if (policy.any && token === undefined) {
    log(
      "warning: allowOrigins '*' without a token: any web page open in a browser on this machine can run jobs here",
    );
  }

  const address = http.address();
  const port = typeof address === 'object' && address !== null ? address.port : opts.port;
  const url = `ws://${urlHost(opts.host)}:${port}`;
  const connectUrl = token === undefined ? url : `${url}/?token=${encodeURIComponent(token)}`;

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      closing = true;
      await runner.shutdown();
      for (const c of connections) c.close(1001, 'the runner is shutting down');
      await closeHttp();
    })();
    return closed;
  };

  return {
    url,
    connectUrl,
    host: opts.host,
    port,
    token,
    tokenGenerated,
    runnerId,
    resultsDir: runner.resultsDir,
    backends: runner.backends,
    devices: runner.devices,
    anyOrigin: policy.any,
    close,
  };
}
