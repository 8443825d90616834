/**
 * Lanes of a connected runner for a fanned-out sweep: one per GPU the runner serves for a
 * backend (one lane when it lists no GPUs). Each lane sends `run` messages pinned to its GPU and
 * resolves with the result when `runDone` arrives; an `error` ending the run rejects with it.
 */
import WebSocket from 'ws';
import { parseServerMessage } from '../model/index.ts';
import type { ResultFile, RunSpec, ServerMessage } from '../model/index.ts';
import type { FanLane } from './fanout.ts';

/** A connection to one runner. */
export interface RunnerConnection {
  /** The runner's URL (without the token). */
  readonly url: string;
  /** The lanes of `backend` on this runner (rejects when the runner lacks it). */
  lanes(backend: string): FanLane<RunSpec, ResultFile>[];
  /** Closes the connection. */
  close(): void;
}

/** A run that a runner ended with an error; carries its partial result when the runner sent one. */
export class RunFailed extends Error {
  /** The result file (failed or cancelled, samples partial), if any. */
  readonly result: ResultFile | undefined;

  constructor(message: string, result: ResultFile | undefined) {
    super(message);
    this.name = 'RunFailed';
    this.result = result;
  }
}

let runCounter = 0;

/** Connects to a runner (`url`, optional token), waits for `welcome`, and returns its lanes. */
export async function connectRunner(url: string, token?: string): Promise<RunnerConnection> {
  const ws = new WebSocket(url, { maxPayload: 64 << 20 });
  const waiting = new Map<string, (m: ServerMessage) => void>();
  const welcome = new Promise<Extract<ServerMessage, { type: 'welcome' }>>((resolve, reject) => {
    ws.on('message', (data: Buffer) => {
      const parsed = parseServerMessage(data.toString('utf8'));
      if (!parsed.ok) return;
      const m = parsed.message;
      if (m.type === 'welcome') resolve(m);
      else if ((m.type === 'runDone' || m.type === 'error') && m.id !== undefined) {
        waiting.get(m.id)?.(m);
      } else if (m.type === 'error') reject(new Error(`${url}: ${m.code}: ${m.message}`));
    });
    ws.once('error', (err) => {
      reject(new Error(`${url}: ${err.message}`));
    });
    ws.once('open', () => {
      ws.send(JSON.stringify({ type: 'hello', ...(token !== undefined ? { token } : {}) }));
    });
  });
  ws.on('close', () => {
    for (const settle of waiting.values()) {
      settle({ type: 'error', code: 'client-gone', message: `${url}: connection closed` });
    }
  });
  const hello = await welcome;
  const submit = (spec: RunSpec, backend: string, device: number | undefined) =>
    new Promise<ResultFile>((resolve, reject) => {
      const id = `sweep-${process.pid}-${++runCounter}`;
      waiting.set(id, (m) => {
        waiting.delete(id);
        if (m.type === 'runDone') resolve(m.result);
        else if (m.type === 'error') reject(new RunFailed(`${m.code}: ${m.message}`, m.result));
      });
      ws.send(
        JSON.stringify({
          type: 'run',
          id,
          backend,
          ...spec,
          ...(device !== undefined ? { device } : {}),
        }),
      );
    });
  return {
    url,
    lanes(backend) {
      const info = hello.backends.find((b) => b.id === backend);
      if (!info?.available) {
        throw new Error(`${url}: the runner has no available ${backend} backend`);
      }
      const devices = info.devices ?? [];
      if (devices.length === 0) {
        return [{ id: `${url} ${backend}`, run: (spec) => submit(spec, backend, undefined) }];
      }
      return devices.map((d) => ({
        id: `${url} gpu ${d.index}`,
        run: (spec: RunSpec) => submit(spec, backend, d.index),
      }));
    },
    close() {
      ws.close();
    },
  };
}
