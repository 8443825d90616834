/**
 * One connection to a native runner: hello/welcome handshake, backend list, runs streamed by id,
 * cancel, and reconnect with back-off. Every incoming frame goes through `parseServerMessage`;
 * a malformed one is reported in `lastError` and dropped, never thrown.
 */
import { PROTOCOL_VERSION, parseServerMessage } from '../../model/index.ts';
import type {
  AttentionConfig,
  BackendInfo,
  ClockReading,
  Correctness,
  Env,
  ErrorCode,
  LaneStatus,
  Memory,
  ResultFile,
  RunProgress,
  ServerMessage,
  StopRule,
} from '../../model/index.ts';
import { DEFAULT_BACKOFF, backoffDelay, type BackoffOptions } from '../lib/backoff.ts';
import { laneRows, type LaneRow, type OwnRun } from './lanes.ts';
import { browserSocketFactory, frameText, type SocketFactory, type SocketLike } from './socket.ts';

/** The runner's welcome message. */
export type Welcome = Extract<ServerMessage, { type: 'welcome' }>;

/** Connection state machine. */
export type ConnectionStatus =
  | { state: 'connecting'; attempt: number }
  | { state: 'handshake' }
  | { state: 'ready' }
  | { state: 'waiting'; attempt: number; retryInMs: number; reason: string }
  | { state: 'refused'; reason: string }
  | { state: 'closed' };

/** Events of one run on a runner. */
export interface RunnerRunEvents {
  /** New samples (ms per launch) with their throttle flags. */
  onSamples(ms: number[], throttled: boolean[] | undefined): void;
  onProgress(progress: RunProgress): void;
  onCheck(correctness: Correctness): void;
  onMemory(memory: Memory): void;
  onClock(clock: ClockReading): void;
}

/** A run request as the lab sends it. */
export interface RunnerRunRequest {
  /** Run id, unique per connection ([A-Za-z0-9_.:-], ≤ 100 chars). */
  id: string;
  config: AttentionConfig;
  backend: string;
  kernel: string;
  stop: StopRule;
  cache: 'cold' | 'warm';
  seed: number;
  warmup?: number | undefined;
  /** GPU index to pin the run to (absent: the runner picks a free GPU). */
  device?: number | undefined;
}

/** Why a runner run ended without a result file. */
export class RunnerRunError extends Error {
  /** Protocol error code, or `connection-lost` when the socket dropped mid-run. */
  readonly code: ErrorCode | 'connection-lost' | 'not-connected';

  constructor(code: ErrorCode | 'connection-lost' | 'not-connected', message: string) {
    super(message);
    this.name = 'RunnerRunError';
    this.code = code;
  }
}

/** A run in flight on a runner. */
export interface RunnerRunHandle {
  /** Resolves with the result file (completed, failed or cancelled); rejects with RunnerRunError. */
  done: Promise<ResultFile>;
  /** Asks the runner to stop the run; `done` then resolves with the partial result. */
  cancel: () => void;
}

interface PendingRun {
  events: RunnerRunEvents;
  resolve: (result: ResultFile) => void;
  reject: (error: RunnerRunError) => void;
}

/** Options of a connection (tests shorten the timings and pass Node's `ws`). */
export interface ConnectionOptions {
  /** Opens sockets; default: the browser's WebSocket. */
  socketFactory?: SocketFactory;
  /** Reconnect back-off. */
  backoff?: BackoffOptions;
  /** Give up on the handshake after this long, ms (default 5000). */
  handshakeTimeoutMs?: number;
}

/** A live connection to one runner, with Svelte state the views read. */
export class RunnerConnection {
  /** The ws:// URL. */
  readonly url: string;
  /** Token sent in hello ('' for none). */
  readonly token: string;
  /** Where the connection stands. */
  status: ConnectionStatus = $state({ state: 'closed' });
  /** The last welcome (kept while reconnecting, so the views can still name the runner). */
  welcome: Welcome | null = $state.raw(null);
  /** Backends as last announced. */
  backends: BackendInfo[] = $state.raw([]);
  /** Every lane and what it ran when the runner last said (undefined: an older runner). */
  lanes: LaneStatus[] | undefined = $state.raw();
  /** This lab's runs on this runner, followed live (queued, then the runner's phase). */
  ownRuns: OwnRun[] = $state.raw([]);
  /** Lanes with their GPU and what runs there, for the Runners view. */
  readonly laneRows: LaneRow[] = $derived(laneRows(this.backends, this.lanes, this.ownRuns));
  /** Last problem seen (bad frame, runner error without a run id, socket error). */
  lastError: string | null = $state(null);
  /** True once the status is `ready`. */
  readonly ready = $derived(this.status.state === 'ready');
  /** The runner's environment fingerprint, when welcomed. */
  readonly env: Env | null = $derived(this.welcome?.env ?? null);

  #socket: SocketLike | null = null;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #handshakeTimer: ReturnType<typeof setTimeout> | null = null;
  #stopped = true;
  // Bookkeeping, not view state: a plain Map on purpose.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #pending = new Map<string, PendingRun>();
  readonly #factory: SocketFactory;
  readonly #backoff: BackoffOptions;
  readonly #handshakeTimeoutMs: number;

  constructor(url: string, token: string, options: ConnectionOptions = {}) {
    this.url = url;
    this.token = token;
    this.#factory = options.socketFactory ?? browserSocketFactory;
    this.#backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.#handshakeTimeoutMs = options.handshakeTimeoutMs ?? 5000;
  }

  /** Starts connecting (and reconnecting after drops) until `disconnect()`. */
  connect(): void {
    this.#stopped = false;
    this.#clearTimers();
    this.#attempt += 1;
    this.status = { state: 'connecting', attempt: this.#attempt };
    let socket: SocketLike;
    try {
      socket = this.#factory(this.url);
    } catch (err) {
      this.#scheduleReconnect(err instanceof Error ? err.message : String(err));
      return;
    }
    this.#socket = socket;
    socket.onopen = () => {
      if (this.#socket !== socket) return;
      this.status = { state: 'handshake' };
      this.#send({
        type: 'hello',
        client: 'attnlab-lab',
        ...(this.token ? { token: this.token } : {}),
      });
      this.#handshakeTimer = setTimeout(() => {
        this.lastError = `no welcome from ${this.url} within ${this.#handshakeTimeoutMs} ms`;
        socket.close(4000, 'handshake timeout');
      }, this.#handshakeTimeoutMs);
    };
    socket.onmessage = (event) => {
      if (this.#socket === socket) this.#receive(event.data);
    };
    socket.onerror = () => {
      if (this.#socket === socket) this.lastError = `cannot reach ${this.url}`;
    };
    socket.onclose = (event) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.#onClosed(event.code, event.reason);
    };
  }

  /** Closes the connection for good (no reconnect); runs in flight fail with connection-lost. */
  disconnect(): void {
    this.#stopped = true;
    this.#clearTimers();
    const socket = this.#socket;
    this.#socket = null;
    socket?.close(1000, 'closed by the lab');
    this.#failPending('connection-lost', `disconnected from ${this.url}`);
    this.status = { state: 'closed' };
  }

  /** Reconnects now (resets the back-off), e.g. after the person fixed the runner. */
  reconnectNow(): void {
    this.disconnect();
    this.#attempt = 0;
    this.connect();
  }

  /** Asks for a fresh backend list (answered with `backends`). */
  refreshBackends(): void {
    if (this.status.state === 'ready') this.#send({ type: 'listBackends' });
  }

  /** Starts a run; events stream to `events`. Fails at once when the runner is not ready. */
  run(request: RunnerRunRequest, events: RunnerRunEvents): RunnerRunHandle {
    if (this.status.state !== 'ready') {
      const error = new RunnerRunError(
        'not-connected',
        `runner ${this.url} is not connected (${this.status.state})`,
      );
      return { done: Promise.reject(error), cancel: () => undefined };
    }
    if (this.#pending.has(request.id)) {
      const error = new RunnerRunError('duplicate-id', `run id ${request.id} is already in use`);
      return { done: Promise.reject(error), cancel: () => undefined };
    }
    const done = new Promise<ResultFile>((resolve, reject) => {
      this.#pending.set(request.id, { events, resolve, reject });
    });
    this.#send({
      type: 'run',
      id: request.id,
      config: request.config,
      backend: request.backend,
      kernel: request.kernel,
      stop: request.stop,
      cache: request.cache,
      seed: request.seed,
      ...(request.warmup !== undefined ? { warmup: request.warmup } : {}),
      ...(request.device !== undefined ? { device: request.device } : {}),
    });
    this.ownRuns = [
      ...this.ownRuns,
      {
        id: request.id,
        backend: request.backend,
        kernel: request.kernel,
        device: request.device,
        phase: 'queued',
        samples: 0,
      },
    ];
    return {
      done,
      cancel: () => {
        if (this.#pending.has(request.id)) this.#send({ type: 'cancel', id: request.id });
      },
    };
  }

  #send(message: object): void {
    const socket = this.#socket;
    if (socket?.readyState !== 1) return;
    socket.send(JSON.stringify(message));
  }

  #receive(data: unknown): void {
    const text = frameText(data);
    if (text === null) {
      this.lastError = `ignored a non-text frame from ${this.url}`;
      return;
    }
    const parsed = parseServerMessage(text);
    if (!parsed.ok) {
      this.lastError = `ignored an invalid message from ${this.url}: ${parsed.error}`;
      return;
    }
    this.#handle(parsed.message);
  }

  #handle(message: ServerMessage): void {
    switch (message.type) {
      case 'welcome':
        if (message.protocol !== PROTOCOL_VERSION) {
          this.#refuse(
            `runner speaks protocol ${message.protocol}; this lab speaks ${PROTOCOL_VERSION} — update the older side`,
          );
          return;
        }
        this.#clearTimers();
        this.#attempt = 0;
        this.welcome = message;
        this.backends = message.backends;
        this.lanes = message.lanes;
        this.lastError = null;
        this.status = { state: 'ready' };
        return;
      case 'backends':
        this.backends = message.backends;
        this.lanes = message.lanes;
        return;
      case 'runStarted':
        this.#updateOwn(message.id, { device: message.device });
        // The lanes changed: ask for the runner's view of them (other clients' runs included).
        this.refreshBackends();
        return;
      case 'samples':
        this.#pending.get(message.id)?.events.onSamples(message.ms, message.throttled);
        return;
      case 'progress':
        this.#updateOwn(message.id, {
          phase: message.phase ?? message.state,
          samples: message.samples,
        });
        this.#pending.get(message.id)?.events.onProgress({
          phase: message.phase ?? message.state,
          samples: message.samples,
          elapsedMs: message.elapsedMs,
          medianMs: message.medianMs,
          expected: null,
        });
        return;
      case 'check':
        this.#pending.get(message.id)?.events.onCheck(message.correctness);
        return;
      case 'memory':
        this.#pending.get(message.id)?.events.onMemory(message.memory);
        return;
      case 'clock':
        this.#pending.get(message.id)?.events.onClock(message.clock);
        return;
      case 'runDone': {
        const run = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        this.#endOwn(message.id);
        run?.resolve(message.result);
        return;
      }
      case 'error':
        this.#handleError(message);
        return;
    }
  }

  #handleError(message: Extract<ServerMessage, { type: 'error' }>): void {
    if (message.code === 'unauthorized') {
      this.#refuse(`runner refused the token: ${message.message}`);
      return;
    }
    const run = message.id === undefined ? undefined : this.#pending.get(message.id);
    if (message.id === undefined || run === undefined) {
      this.lastError = `runner error (${message.code}): ${message.message}`;
      return;
    }
    this.#pending.delete(message.id);
    this.#endOwn(message.id);
    if (message.result) run.resolve(message.result);
    else run.reject(new RunnerRunError(message.code, message.message));
  }

  #refuse(reason: string): void {
    this.#stopped = true;
    this.#clearTimers();
    this.lastError = reason;
    this.status = { state: 'refused', reason };
    this.#failPending('connection-lost', reason);
    const socket = this.#socket;
    this.#socket = null;
    socket?.close(1000, 'refused');
  }

  #onClosed(code: number, reason: string): void {
    this.#clearTimers();
    const why =
      this.status.state === 'connecting'
        ? `cannot reach ${this.url}`
        : `connection closed (${code}${reason ? `: ${reason}` : ''})`;
    this.#failPending('connection-lost', `lost the connection to ${this.url} during the run`);
    if (this.#stopped) return;
    this.#scheduleReconnect(why);
  }

  #scheduleReconnect(reason: string): void {
    const retryInMs = backoffDelay(Math.max(1, this.#attempt), this.#backoff);
    this.status = { state: 'waiting', attempt: this.#attempt, retryInMs, reason };
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (!this.#stopped) this.connect();
    }, retryInMs);
  }

  #failPending(code: 'connection-lost', message: string): void {
    const runs = [...this.#pending.values()];
    this.#pending.clear();
    this.ownRuns = [];
    for (const run of runs) run.reject(new RunnerRunError(code, message));
  }

  #updateOwn(id: string, change: Partial<OwnRun>): void {
    if (!this.ownRuns.some((r) => r.id === id)) return;
    this.ownRuns = this.ownRuns.map((r) => (r.id === id ? { ...r, ...change } : r));
  }

  #endOwn(id: string): void {
    if (!this.ownRuns.some((r) => r.id === id)) return;
    this.ownRuns = this.ownRuns.filter((r) => r.id !== id);
    this.refreshBackends();
  }

  #clearTimers(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    if (this.#handshakeTimer !== null) clearTimeout(this.#handshakeTimer);
    this.#timer = null;
    this.#handshakeTimer = null;
  }
}
