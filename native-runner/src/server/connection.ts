/**
 * One WebSocket client: validates every incoming message, enforces authentication, turns
 * `run`/`cancel` into runner calls, and cancels the client's jobs when it goes away.
 */
import WebSocket from 'ws';
import { parseClientMessage } from '../../../src/model/index.ts';
import type { ClientMessage, RunRequest, ServerMessageInput } from '../../../src/model/index.ts';
import { tokensEqual } from './auth.ts';
import { MAX_NESTING, idOf, nestingExceeds, toBuffer } from './incoming.ts';
import type { Job } from './job.ts';
import type { Runner } from './runner.ts';
import { encodeServerMessage, errorMessage } from './wire.ts';

/** What a connection needs from its server. */
export interface ConnectionSettings {
  /** The runner that takes this client's runs. */
  runner: Runner;
  /** The runner's token; undefined when none is required. */
  token: string | undefined;
  /** A client that lets this many bytes (overhead counted) pile up unread is disconnected. */
  maxBufferedBytes: number;
  /** An unauthenticated client is closed this long after connecting, ms. */
  helloTimeoutMs: number;
  /** Failed hellos after which the client is closed. */
  maxFailedHellos: number;
  /** Runs this client may have waiting (all lanes together). */
  clientQueueLimit: number;
  /** Writes a line to the runner's log. */
  log(line: string): void;
}

/**
 * Memory one queued outbound message costs besides its bytes (the Buffer, the socket's write
 * request, ws's frame bookkeeping): counted so that floods of small messages are bounded too.
 */
export const MESSAGE_OVERHEAD_BYTES = 512;

/** Close code for a client closed for breaking the rules (RFC 6455 policy violation). */
const POLICY_VIOLATION = 1008;

/** A connected client. */
export class Connection {
  /** Label for logs: remote address and port. */
  readonly label: string;
  private readonly ws: WebSocket;
  private readonly settings: ConnectionSettings;
  private authed: boolean;
  /** Runs of this client that are queued or running, by id. */
  private readonly runs = new Map<string, Job>();
  /** Every run id this client has used (ids are unique per connection). */
  private readonly usedIds = new Set<string>();
  /** Bytes handed to ws whose write has not completed, overhead included. */
  private pendingBytes = 0;
  private failedHellos = 0;
  private helloTimer: NodeJS.Timeout | undefined;

  constructor(ws: WebSocket, authed: boolean, label: string, settings: ConnectionSettings) {
    this.ws = ws;
    this.authed = authed;
    this.label = label;
    this.settings = settings;
    if (!authed) {
      // A socket that never authenticates must not hold a connection slot forever.
      this.helloTimer = setTimeout(() => {
        if (this.authed) return;
        this.settings.log(
          `${label}: no valid hello within ${settings.helloTimeoutMs / 1000} s; closing`,
        );
        this.close(POLICY_VIOLATION, 'authenticate with hello first');
      }, settings.helloTimeoutMs);
      this.helloTimer.unref();
    }
    ws.on('message', (data, isBinary) => {
      try {
        this.onMessage(toBuffer(data), isBinary);
      } catch (err) {
        // A bug here must cost this message, not the server.
        this.settings.log(`${label}: internal error handling a message: ${String(err)}`);
        this.send(errorMessage('internal', 'the runner failed to handle this message'));
      }
    });
    ws.on('error', (err) => {
      // ws reports protocol violations (oversized frames, bad UTF-8) here, then closes.
      this.settings.log(`${label}: ${err.message}`);
    });
    ws.on('close', () => {
      clearTimeout(this.helloTimer);
      this.onClose();
    });
  }

  /** Sends a validated message; a no-op once the socket is closing. */
  send(message: ServerMessageInput): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    const encoded = encodeServerMessage(message);
    let text: string;
    if (encoded.ok) {
      text = encoded.text;
    } else {
      this.settings.log(`${this.label}: runner bug: ${encoded.error}`);
      // Only a run's final message may become an error with its id (that id's run ends there);
      // an invalid progress or samples message is dropped, not turned into a false ending.
      if (message.type !== 'runDone' && message.type !== 'error') return;
      const fallback = encodeServerMessage(errorMessage('internal', encoded.error, message.id));
      if (!fallback.ok) return;
      text = fallback.text;
    }
    // Bound what this client can make the runner hold: everything queued and not yet written
    // (ws's bufferedAmount, or our own count when larger) plus this message, overhead included.
    // One message alone always goes, however big, so a legal runDone is never refused.
    const cost = Buffer.byteLength(text, 'utf8') + MESSAGE_OVERHEAD_BYTES;
    const queued = Math.max(this.pendingBytes, this.ws.bufferedAmount);
    if (queued > 0 && queued + cost > this.settings.maxBufferedBytes) {
      this.settings.log(
        `${this.label}: client is not reading its messages (${queued} bytes queued); disconnecting it`,
      );
      this.ws.terminate();
      return;
    }
    this.pendingBytes += cost;
    this.ws.send(text, () => {
      this.pendingBytes -= cost;
    });
  }

  /** Bytes queued for this client and not yet written, overhead included. */
  get queuedBytes(): number {
    return Math.max(this.pendingBytes, this.ws.bufferedAmount);
  }

  /** Closes the socket (jobs are cancelled by the close handler); drops it after 1 s. */
  close(code: number, reason: string): void {
    this.ws.close(code, reason);
    // A client that never answers the close frame must not hold the server open.
    setTimeout(() => {
      this.ws.terminate();
    }, 1000).unref();
  }

  private onMessage(bytes: Buffer, isBinary: boolean): void {
    if (isBinary) {
      this.send(
        errorMessage('invalid-message', 'binary frames are not accepted: send JSON text messages'),
      );
      return;
    }
    if (nestingExceeds(bytes)) {
      this.send(
        errorMessage(
          'invalid-message',
          `message nests deeper than ${MAX_NESTING} levels; protocol messages nest at most 4`,
        ),
      );
      return;
    }
    const parsed = parseClientMessage(bytes);
    if (!parsed.ok) {
      const withId = parsed.code === 'invalid-message' || parsed.code === 'bad-config';
      this.send(errorMessage(parsed.code, parsed.error, withId ? idOf(bytes) : undefined));
      return;
    }
    const msg = parsed.message;
    if (msg.type === 'hello') {
      this.hello(msg);
      return;
    }
    if (!this.authed) {
      this.send(
        errorMessage(
          'unauthorized',
          `${msg.type}: not authenticated; this runner needs a token: send {"type":"hello","token":"…"} first, or connect with ?token=…`,
          msg.type === 'run' || msg.type === 'cancel' ? msg.id : undefined,
        ),
      );
      return;
    }
    switch (msg.type) {
      case 'listBackends':
        this.send({
          type: 'backends',
          backends: [...this.settings.runner.backends],
          lanes: this.settings.runner.laneStatus(),
        });
        return;
      case 'run':
        this.run(msg);
        return;
      case 'cancel':
        this.cancel(msg.id);
        return;
    }
  }

  private hello(msg: Extract<ClientMessage, { type: 'hello' }>): void {
    const { token } = this.settings;
    if (token !== undefined) {
      if (msg.token !== undefined && !tokensEqual(msg.token, token)) {
        this.helloFailed('hello.token: wrong token');
        return;
      }
      if (msg.token === undefined && !this.authed) {
        this.helloFailed(
          'hello.token: this runner requires a token (printed when it started, or given with --token)',
        );
        return;
      }
      this.authed = true;
      clearTimeout(this.helloTimer);
    }
    this.send(this.settings.runner.welcome());
  }

  /** Answers a failed hello; after `maxFailedHellos` of them the client is closed (logged). */
  private helloFailed(why: string): void {
    this.failedHellos++;
    const { maxFailedHellos } = this.settings;
    this.settings.log(
      `${this.label}: failed hello ${this.failedHellos} of ${maxFailedHellos}: ${why}`,
    );
    this.send(errorMessage('unauthorized', why));
    if (this.failedHellos >= maxFailedHellos) {
      this.settings.log(`${this.label}: ${this.failedHellos} failed hellos; closing`);
      this.close(POLICY_VIOLATION, 'too many failed hello attempts');
    }
  }

  private run(msg: RunRequest): void {
    if (this.usedIds.has(msg.id)) {
      this.send(
        errorMessage(
          'duplicate-id',
          `id: run "${msg.id}" was already used on this connection; run ids must be unique`,
          msg.id,
        ),
      );
      return;
    }
    const { runner } = this.settings;
    const waiting = [...this.runs.values()].filter((j) => runner.isWaiting(j)).length;
    if (waiting >= this.settings.clientQueueLimit) {
      this.send(
        errorMessage(
          'client-queue-full',
          `run: this client already has ${waiting} runs waiting (the limit per client is ${this.settings.clientQueueLimit}); submit more when one starts`,
          msg.id,
        ),
      );
      return;
    }
    const submitted = this.settings.runner.submit(msg, (m) => {
      this.send(m);
    });
    if (!submitted.ok) {
      this.send(errorMessage(submitted.code, submitted.message, msg.id));
      return;
    }
    const { job, queuePosition } = submitted;
    this.usedIds.add(msg.id);
    this.runs.set(msg.id, job);
    void job.finished.then(() => this.runs.delete(msg.id));
    const device = job.request.device?.index;
    this.send({
      type: 'runStarted',
      id: msg.id,
      queuePosition,
      ...(device !== undefined ? { device } : {}),
    });
  }

  private cancel(id: string): void {
    const job = this.runs.get(id);
    if (!job) {
      this.send(
        errorMessage('unknown-run', `id: no queued or running run "${id}" on this connection`, id),
      );
      return;
    }
    this.settings.runner.cancel(job, { code: 'cancelled', message: 'cancelled by the client' });
  }

  private onClose(): void {
    for (const job of this.runs.values()) {
      this.settings.runner.cancel(job, {
        code: 'client-gone',
        message: 'the client disconnected before the run ended',
      });
    }
  }
}
