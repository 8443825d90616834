/**
 * The lab's runner client against a WebSocket server on a real port. The server here plays a
 * runner scripted per test (including misbehaving ones), so each client behaviour — handshake,
 * streaming, bad frames, token refusal, reconnect — is exercised over an actual socket.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { PROTOCOL_VERSION, readResult } from '../../model/index.ts';
import type { ServerMessageInput } from '../../model/index.ts';
import { exampleResult } from '../../model/example.ts';
import { createRng } from '../../stats/prng.ts';
import { RunnerConnection, RunnerRunError, type RunnerRunEvents } from './connection.svelte.ts';
import type { SocketLike } from './socket.ts';

const nodeSocket = (url: string): SocketLike => new WebSocket(url) as unknown as SocketLike;
const fastBackoff = { baseMs: 30, maxMs: 100, jitter: 0 };
/** Run events for tests that only look at how the run ends. */
const ignored: RunnerRunEvents = {
  onSamples: () => undefined,
  onProgress: () => undefined,
  onCheck: () => undefined,
  onMemory: () => undefined,
  onClock: () => undefined,
};

type Handler = (
  msg: Record<string, unknown>,
  send: (m: ServerMessageInput | string) => void,
) => void;

interface TestServer {
  url: string;
  received: Record<string, unknown>[];
  server: WebSocketServer;
  close(): Promise<void>;
}

const servers: TestServer[] = [];
const connections: RunnerConnection[] = [];

async function startServer(handler: Handler, port = 0): Promise<TestServer> {
  const server = new WebSocketServer({ host: '127.0.0.1', port });
  await new Promise<void>((resolve) =>
    server.once('listening', () => {
      resolve();
    }),
  );
  const received: Record<string, unknown>[] = [];
  server.on('connection', (ws) => {
    const send = (m: ServerMessageInput | string): void => {
      ws.send(typeof m === 'string' ? m : JSON.stringify(m));
    };
    ws.on('message', (data: Buffer) => {
      const msg = JSON.parse(data.toString()) as Record<string, unknown>;
      received.push(msg);
      handler(msg, send);
    });
  });
  const addr = server.address() as AddressInfo;
  const ts: TestServer = {
    url: `ws://127.0.0.1:${addr.port}`,
    received,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of server.clients) c.terminate();
        server.close(() => {
          resolve();
        });
      }),
  };
  servers.push(ts);
  return ts;
}

function welcome(): ServerMessageInput {
  return {
    type: 'welcome',
    runnerId: 'test-runner',
    version: '0.1.0',
    protocol: PROTOCOL_VERSION,
    env: { host: { hostname: 'box', cpus: 2 } },
    backends: [
      {
        id: 'cpu',
        available: true,
        device: 'CPU (2 threads)',
        kernels: [
          { id: 'naive', description: 'naive', dtypes: ['f32'], headDims: [32, 64], causal: true },
        ],
      },
      { id: 'cuda', available: false, reason: 'no NVIDIA driver', kernels: [] },
    ],
  };
}

function connect(url: string, token = ''): RunnerConnection {
  const conn = new RunnerConnection(url, token, {
    socketFactory: nodeSocket,
    backoff: fastBackoff,
    handshakeTimeoutMs: 2000,
  });
  connections.push(conn);
  conn.connect();
  return conn;
}

async function until(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

afterEach(async () => {
  for (const c of connections.splice(0)) c.disconnect();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('RunnerConnection', () => {
  it('sends hello with the token and becomes ready on welcome, listing every backend', async () => {
    const srv = await startServer((msg, send) => {
      if (msg.type === 'hello') send(welcome());
    });
    const conn = connect(srv.url, 's3cret');
    await until(() => conn.ready, 'ready');
    expect(srv.received[0]).toEqual({ type: 'hello', client: 'attnlab-lab', token: 's3cret' });
    expect(conn.backends.map((b) => [b.id, b.available, b.reason])).toEqual([
      ['cpu', true, undefined],
      ['cuda', false, 'no NVIDIA driver'],
    ]);
    expect(conn.env?.host?.hostname).toBe('box');
  });

  it('streams samples, progress and check of a run by id and resolves with the result file', async () => {
    const rng = createRng(42);
    const ms = Array.from({ length: 12 }, () => 1 + rng.next());
    const srv = await startServer((msg, send) => {
      if (msg.type === 'hello') send(welcome());
      if (msg.type === 'run') {
        const id = String(msg.id);
        send({ type: 'runStarted', id, queuePosition: 0 });
        send({ type: 'samples', id, seq: 0, ms: ms.slice(0, 5) });
        send({ type: 'samples', id: 'someone-else', seq: 0, ms: [99] });
        send({ type: 'samples', id, seq: 1, ms: ms.slice(5) });
        send({
          type: 'progress',
          id,
          state: 'running',
          samples: 12,
          elapsedMs: 30,
          medianMs: 1.5,
          phase: 'timing',
        });
        const result = exampleResult(ms, { id });
        if (result.correctness) send({ type: 'check', id, correctness: result.correctness });
        send({ type: 'runDone', id, result });
      }
    });
    const conn = connect(srv.url);
    await until(() => conn.ready, 'ready');
    const got: number[] = [];
    const phases: string[] = [];
    let passed: boolean | null = null;
    const handle = conn.run(
      {
        id: 'r1',
        config: { batch: 1, heads: 2, seqLen: 128, headDim: 64, causal: false, dtype: 'f32' },
        backend: 'cpu',
        kernel: 'naive',
        stop: { kind: 'count', iterations: 12 },
        cache: 'warm',
        seed: 7,
      },
      {
        onSamples: (batch) => got.push(...batch),
        onProgress: (p) => phases.push(p.phase),
        onCheck: (c) => (passed = c.passed),
        onMemory: () => undefined,
        onClock: () => undefined,
      },
    );
    const result = await handle.done;
    expect(got).toEqual(ms);
    expect(phases).toEqual(['timing']);
    expect(passed).toBe(true);
    expect(result.samples.ms).toEqual(ms);
    expect(readResult(result).id).toBe('r1');
    expect(srv.received.find((m) => m.type === 'run')).toMatchObject({
      type: 'run',
      id: 'r1',
      backend: 'cpu',
      kernel: 'naive',
      seed: 7,
    });
  });

  it('drops malformed frames with a message and stays connected', async () => {
    const srv = await startServer((msg, send) => {
      if (msg.type === 'hello') {
        send('{not json');
        send(JSON.stringify({ type: 'samples', id: 'x', seq: -1, ms: 'many' }));
        send(welcome());
      }
      if (msg.type === 'listBackends') send(JSON.stringify({ type: 'teleport' }));
    });
    const conn = connect(srv.url);
    await until(() => conn.ready, 'ready');
    conn.refreshBackends();
    await until(() => conn.lastError?.includes('teleport') ?? false, 'unknown type error');
    expect(conn.lastError).toContain('unknown message type "teleport"');
    expect(conn.status.state).toBe('ready');
  });

  it('stops reconnecting when the runner refuses the token, saying so', async () => {
    let hellos = 0;
    const srv = await startServer((msg, send) => {
      if (msg.type === 'hello') {
        hellos += 1;
        send({ type: 'error', code: 'unauthorized', message: 'bad token' });
      }
    });
    const conn = connect(srv.url, 'wrong');
    await until(() => conn.status.state === 'refused', 'refused');
    await new Promise((r) => setTimeout(r, 200));
    expect(hellos).toBe(1);
    expect(conn.status).toEqual({
      state: 'refused',
      reason: 'runner refused the token: bad token',
    });
  });

  it('fails a run in flight when the socket drops, then reconnects with back-off', async () => {
    let connectionsSeen = 0;
    const srv = await startServer((msg, send) => {
      if (msg.type === 'hello') {
        connectionsSeen += 1;
        send(welcome());
      }
      if (msg.type === 'run') for (const c of srv.server.clients) c.terminate();
    });
    const conn = connect(srv.url);
    await until(() => conn.ready, 'ready');
    const handle = conn.run(
      {
        id: 'r2',
        config: { batch: 1, heads: 1, seqLen: 64, headDim: 32, causal: false, dtype: 'f32' },
        backend: 'cpu',
        kernel: 'naive',
        stop: { kind: 'count', iterations: 5 },
        cache: 'cold',
        seed: 1,
      },
      ignored,
    );
    const error = await handle.done.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RunnerRunError);
    expect((error as RunnerRunError).code).toBe('connection-lost');
    await until(() => connectionsSeen === 2 && conn.ready, 'reconnected');
  });

  it('reports an unreachable runner and keeps retrying with growing delays', async () => {
    const srv = await startServer(() => undefined);
    const url = srv.url;
    await srv.close();
    servers.splice(servers.indexOf(srv), 1);
    const conn = connect(url);
    await until(() => conn.status.state === 'waiting', 'waiting');
    const first = conn.status;
    expect(first).toMatchObject({ state: 'waiting', attempt: 1, retryInMs: 30 });
    expect(first.state === 'waiting' ? first.reason : '').toContain('cannot reach');
    await until(
      () => conn.status.state === 'waiting' && conn.status.attempt === 2,
      'second attempt',
    );
    expect(conn.status).toMatchObject({ retryInMs: 60 });
  });

  it('refuses to start a run before the runner is ready', async () => {
    const conn = new RunnerConnection('ws://127.0.0.1:9', '', { socketFactory: nodeSocket });
    const err = await conn
      .run(
        {
          id: 'r3',
          config: { batch: 1, heads: 1, seqLen: 8, headDim: 32, causal: false, dtype: 'f32' },
          backend: 'cpu',
          kernel: 'naive',
          stop: { kind: 'count', iterations: 1 },
          cache: 'cold',
          seed: 1,
        },
        ignored,
      )
      .done.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunnerRunError);
    expect((err as Error).message).toBe('runner ws://127.0.0.1:9 is not connected (closed)');
  });
});
