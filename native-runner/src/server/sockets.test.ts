/**
 * Sockets that never authenticate, never read or flood cannot take the runner: a deadline for
 * hello, a cap per remote address, a bound on what a client leaves unread (message overhead
 * counted), a limit on failed hellos, and a cap on the runs one client may queue. Real sockets.
 */
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Connection, MESSAGE_OVERHEAD_BYTES } from './connection.ts';
import type { Runner } from './runner.ts';
import { encodeServerMessage, errorMessage } from './wire.ts';
import { TestClient, is } from './testing/client.ts';
import { runMessage, startTestServer } from './testing/setup.ts';
import type { TestServer } from './testing/setup.ts';
import { formatBanner } from '../../../src/cli/serve.ts';

const TOKEN = 'sockets-test-token-1';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

describe('unauthenticated sockets', () => {
  it('closes a socket that sends no valid hello within the deadline, and logs it', async () => {
    t = await startTestServer({ token: TOKEN, helloTimeoutMs: 300 });
    const silent = await TestClient.open(t.server.url);
    const authed = await TestClient.open(t.server.url);
    authed.send({ type: 'hello', token: TOKEN });
    await authed.waitFor(is.welcome);
    const byQuery = await TestClient.open(`${t.server.url}/?token=${TOKEN}`);
    const t0 = performance.now();
    expect((await silent.closed).code).toBe(1008);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(t.logs.some((l) => /no valid hello within 0\.3 s; closing/.test(l))).toBe(true);
    // Authenticated sockets outlive the deadline.
    await new Promise((r) => setTimeout(r, 400));
    for (const c of [authed, byQuery]) {
      c.send({ type: 'listBackends' });
      await c.waitFor(is.backends);
      c.close();
    }
  });

  it('closes a socket after 3 failed hellos and logs each attempt', async () => {
    t = await startTestServer({ token: TOKEN });
    const c = await TestClient.open(t.server.url);
    c.send({ type: 'hello', token: 'wrong-token-1' });
    c.send({ type: 'hello' });
    c.send({ type: 'hello', token: 'wrong-token-3' });
    c.send({ type: 'hello', token: TOKEN }); // too late: the socket is closing
    expect((await c.closed).code).toBe(1008);
    const errors = c.messages.filter(is.error);
    expect(errors.map((e) => e.code)).toEqual(['unauthorized', 'unauthorized', 'unauthorized']);
    expect(c.messages.some((m) => m.type === 'welcome')).toBe(false);
    const logs = t.logs.join('\n');
    expect(logs).toMatch(/failed hello 1 of 3: hello\.token: wrong token/);
    expect(logs).toMatch(/failed hello 3 of 3/);
    expect(logs).toMatch(/3 failed hellos; closing/);
  });

  it('caps connections per remote address (HTTP 429) and frees a slot when one closes', async () => {
    t = await startTestServer({ maxConnectionsPerAddress: 3 });
    const open = await Promise.all([1, 2, 3].map(() => TestClient.open(t?.server.url ?? '')));
    const fourth = await TestClient.tryUpgrade(t.server.url);
    expect(fourth).toMatchObject({ ok: false, status: 429 });
    expect(fourth.ok ? '' : fourth.body).toMatch(/already has 3 connections/);
    open[0]?.close();
    await open[0]?.closed;
    // The slot is released once the server sees the close.
    let again = await TestClient.tryUpgrade(t.server.url);
    for (let i = 0; i < 20 && !again.ok; i++) {
      await new Promise((r) => setTimeout(r, 50));
      again = await TestClient.tryUpgrade(t.server.url);
    }
    expect(again.ok).toBe(true);
    for (const c of open.slice(1)) c.close();
  });
});

describe('a client that does not read', () => {
  it('is disconnected once what it leaves unread passes the bound; others are served', async () => {
    t = await startTestServer({ maxBufferedBytes: 1 << 20 });
    const ws = new WebSocket(t.server.url);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.on('error', () => undefined);
    const closed = new Promise<number>((resolve) => ws.once('close', resolve));
    // Stop reading: the kernel's buffers fill, then the runner's queue grows.
    const socket = (ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    const ask = JSON.stringify({ type: 'listBackends' });
    const dropped = (): boolean =>
      t?.logs.some((l) => /not reading its messages \(\d+ bytes queued\)/.test(l)) ?? false;
    for (let round = 0; round < 40 && !dropped(); round++) {
      for (let i = 0; i < 2000; i++) ws.send(ask);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(dropped()).toBe(true);
    socket.resume();
    expect(await closed).toBe(1006); // terminated, no close handshake
    const other = await TestClient.open(t.server.url);
    other.send({ type: 'listBackends' });
    await other.waitFor(is.backends);
    other.close();
  }, 30_000);
});

/** A ws whose peer never reads: nothing is ever written, bufferedAmount counts the bytes only. */
class StuckSocket extends EventEmitter {
  readyState: number = WebSocket.OPEN;
  bufferedAmount = 0;
  sent = 0;
  send(text: string): void {
    this.sent++;
    this.bufferedAmount += Buffer.byteLength(text);
  }
  terminate(): void {
    this.readyState = WebSocket.CLOSED;
  }
  close(): void {
    this.terminate();
  }
}

describe('the bound on unread bytes', () => {
  it('counts each queued message’s overhead, so a flood of small messages is bounded too', () => {
    const ws = new StuckSocket();
    const logs: string[] = [];
    const limit = 1 << 20;
    const c = new Connection(ws as unknown as WebSocket, true, 'client test', {
      runner: Object.create(null) as Runner, // send() never reaches the runner
      token: undefined,
      maxBufferedBytes: limit,
      helloTimeoutMs: 5000,
      maxFailedHellos: 3,
      clientQueueLimit: 16,
      log: (l) => logs.push(l),
    });
    const small = errorMessage('unknown-run', 'id: no queued or running run "r1"', 'r1');
    const encoded = encodeServerMessage(small);
    const bytes = encoded.ok ? Buffer.byteLength(encoded.text) : 0;
    expect(bytes).toBeLessThan(100);
    for (let i = 0; i < 5000 && ws.readyState === WebSocket.OPEN; i++) c.send(small);
    // Counting bytes alone would allow 5000 × <100 B (< 0.5 MiB): never disconnected.
    expect(ws.readyState).toBe(WebSocket.CLOSED);
    expect(ws.sent).toBe(Math.floor(limit / (bytes + MESSAGE_OVERHEAD_BYTES)));
    expect(logs.at(-1)).toMatch(/not reading its messages/);
  });
});

describe('fairness', () => {
  it('caps the runs one client may queue (client-queue-full); other clients still queue', async () => {
    t = await startTestServer({ clientQueueLimit: 2 });
    const greedy = await TestClient.open(t.server.url);
    greedy.send(runMessage('running', 'hang'));
    for (const id of ['q1', 'q2', 'q3']) greedy.send(runMessage(id, 'hang'));
    const refused = await greedy.final('q3');
    expect(refused).toMatchObject({ type: 'error', code: 'client-queue-full' });
    expect(refused.type === 'error' ? refused.message : '').toMatch(
      /already has 2 runs waiting \(the limit per client is 2\)/,
    );
    const started = greedy.messages.filter(is.runStarted).map((m) => [m.id, m.queuePosition]);
    expect(started).toEqual([
      ['running', 0],
      ['q1', 1],
      ['q2', 2],
    ]);
    const polite = await TestClient.open(t.server.url);
    polite.send(runMessage('polite', 'hang'));
    expect(await polite.waitFor(is.runStarted)).toMatchObject({ id: 'polite', queuePosition: 3 });
    greedy.close();
    polite.close();
  });
});

describe("--allow-origin '*'", () => {
  it('warns at start when any web page may connect without a token', async () => {
    t = await startTestServer({ allowOrigins: ['*'] });
    expect(formatBanner(t.server)).toMatch(
      /WARNING: --allow-origin '\*' without a token: any web page .* can run jobs/,
    );
    expect(t.logs.some((l) => /warning: allowOrigins '\*' without a token/.test(l))).toBe(true);
    await t.stop();
    t = await startTestServer({ allowOrigins: ['https://lab.example.com'] });
    expect(formatBanner(t.server)).not.toMatch(/WARNING/);
  });
});
