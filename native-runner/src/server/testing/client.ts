/**
 * A WebSocket client for the server's tests: validates every message it receives against the
 * protocol schema (so a test fails if the runner ever sends an invalid one) and lets a test wait
 * for the message it expects.
 */
import WebSocket from 'ws';
import { parseServerMessage } from '../../../../src/model/index.ts';
import type { ServerMessage } from '../../../../src/model/index.ts';

/** Options of `TestClient.open`. */
export interface OpenOptions {
  /** Origin header to send (browsers always send one). */
  origin?: string;
}

/** How an upgrade attempt ended. */
export type UpgradeOutcome = { ok: true } | { ok: false; status: number; body: string };

/** A connected test client. */
export class TestClient {
  /** Every valid message received, in order. */
  readonly messages: ServerMessage[] = [];
  /** Arrival time (performance.now()) of each message in `messages`. */
  readonly arrivals: number[] = [];
  /** Received messages that failed protocol validation (should stay empty). */
  readonly invalid: string[] = [];
  /** Resolves with the close code and reason once the socket closes. */
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly ws: WebSocket;
  private waiters: (() => void)[] = [];

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data: Buffer, isBinary) => {
      const parsed = parseServerMessage(isBinary ? new Uint8Array(data) : data.toString('utf8'));
      if (parsed.ok) {
        this.messages.push(parsed.message);
        this.arrivals.push(performance.now());
      } else this.invalid.push(`${parsed.code}: ${parsed.error}`);
      this.wake();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString('utf8') });
        this.wake();
      });
    });
    ws.on('error', () => undefined);
  }

  /** Connects; rejects when the upgrade is refused. */
  static open(url: string, options: OpenOptions = {}): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, {
        ...(options.origin !== undefined ? { origin: options.origin } : {}),
        maxPayload: 64 << 20,
      });
      const client = new TestClient(ws);
      ws.once('open', () => {
        resolve(client);
      });
      ws.once('unexpected-response', (_req, res) => {
        reject(new Error(`upgrade refused: HTTP ${res.statusCode ?? 0}`));
        ws.terminate();
      });
      ws.once('error', reject);
    });
  }

  /** Tries an upgrade and reports the HTTP status when it is refused. */
  static tryUpgrade(url: string, options: OpenOptions = {}): Promise<UpgradeOutcome> {
    return new Promise((resolve) => {
      const ws = new WebSocket(url, options.origin !== undefined ? { origin: options.origin } : {});
      ws.on('error', () => undefined);
      ws.once('open', () => {
        ws.close();
        resolve({ ok: true });
      });
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          resolve({ ok: false, status: res.statusCode ?? 0, body });
        });
      });
    });
  }

  /** Sends an object as JSON, or a string as is. */
  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Sends raw data (binary when `binary`). */
  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** Bytes queued but not yet sent. */
  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  /** Waits until `count` messages matching `pred` have arrived (counting earlier ones). */
  async waitForCount(
    pred: (m: ServerMessage) => boolean,
    count: number,
    timeoutMs = 10_000,
  ): Promise<ServerMessage[]> {
    const deadline = Date.now() + timeoutMs;
    const found: ServerMessage[] = [];
    let scanned = 0;
    for (;;) {
      // Scan only what arrived since the last look: thousands of messages stay linear.
      for (; scanned < this.messages.length; scanned++) {
        const m = this.messages[scanned];
        if (m !== undefined && pred(m)) found.push(m);
      }
      if (found.length >= count) return found;
      if (this.ws.readyState === WebSocket.CLOSED) {
        throw new Error(`socket closed after ${found.length} of ${count} expected messages`);
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        const last = this.messages.at(-1);
        const shown = last === undefined ? 'none' : JSON.stringify(last).slice(0, 300);
        throw new Error(
          `timed out with ${found.length} of ${count} expected messages; last: ${shown}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for the first message matching `pred` (earlier ones count). */
  async waitFor<T extends ServerMessage>(
    pred: (m: ServerMessage) => m is T,
    timeoutMs = 10_000,
  ): Promise<T> {
    const [first] = await this.waitForCount(pred, 1, timeoutMs);
    return first as T;
  }

  /** Waits for the final message of run `id`: `runDone`, or an `error` carrying that id. */
  final(id: string, timeoutMs = 10_000): Promise<FinalMessage> {
    return this.waitFor(
      (m): m is FinalMessage => (m.type === 'runDone' || m.type === 'error') && m.id === id,
      timeoutMs,
    );
  }

  /** Messages about run `id`, in order. */
  about(id: string): ServerMessage[] {
    return this.messages.filter((m) => 'id' in m && m.id === id);
  }

  /** Closes the socket. */
  close(): void {
    this.ws.close();
  }

  /** Drops the TCP connection without a close handshake (a vanished client). */
  terminate(): void {
    this.ws.terminate();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/** The last message of a run. */
export type FinalMessage = Extract<ServerMessage, { type: 'runDone' | 'error' }>;

/** Narrowing helpers for `waitFor`. */
export const is = {
  welcome: (m: ServerMessage): m is Extract<ServerMessage, { type: 'welcome' }> =>
    m.type === 'welcome',
  backends: (m: ServerMessage): m is Extract<ServerMessage, { type: 'backends' }> =>
    m.type === 'backends',
  error: (m: ServerMessage): m is Extract<ServerMessage, { type: 'error' }> => m.type === 'error',
  runStarted: (m: ServerMessage): m is Extract<ServerMessage, { type: 'runStarted' }> =>
    m.type === 'runStarted',
};
