/**
 * The slice of the WebSocket API the runner client uses, so tests can hand it Node's `ws`
 * client and the browser gets its own `WebSocket` — the same code talks over a real socket in
 * both.
 */

/** Minimal WebSocket surface (browser `WebSocket` and `ws` both satisfy it). */
export interface SocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/** Opens a socket to `url`. */
export type SocketFactory = (url: string) => SocketLike;

/** The browser's WebSocket as a SocketFactory; throws when the page has none. */
export const browserSocketFactory: SocketFactory = (url) => {
  if (typeof WebSocket === 'undefined') throw new Error('this environment has no WebSocket');
  return new WebSocket(url) as unknown as SocketLike;
};

/** Text of an incoming frame (string, ArrayBuffer or Node Buffer); null for anything else. */
export function frameText(data: unknown): string | null {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new TextDecoder().decode(data);
  if (ArrayBuffer.isView(data)) return new TextDecoder().decode(data);
  return null;
}

/** Checks that a runner URL is ws:// or wss:// with a host; returns an error message or null. */
export function checkRunnerUrl(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `runner URL: "${url}" is not a URL; expected ws://HOST:PORT`;
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    return `runner URL: must start with ws:// or wss:// (got ${parsed.protocol}//)`;
  }
  if (parsed.host === '') return 'runner URL: needs a host, e.g. ws://127.0.0.1:9000';
  return null;
}
