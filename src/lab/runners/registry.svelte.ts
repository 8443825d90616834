/**
 * The runners the lab is connected to — several at once (a laptop's WebGPU against an L4 box and
 * an H100 box). Runners the person added are remembered in localStorage; the local runner that
 * `npm start` launched is added for this session only (its port changes on every start).
 */
import { RunnerConnection, type ConnectionOptions } from './connection.svelte.ts';
import { checkRunnerUrl } from './socket.ts';

const STORAGE_KEY = 'attnlab.runners.v1';

/** A runner as remembered between visits. */
export interface SavedRunner {
  /** ws:// URL. */
  url: string;
  /** Token ('' for none). */
  token: string;
}

/** Minimal storage (localStorage in the page). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

function readSaved(store: KeyValueStore | null): SavedRunner[] {
  const raw = store?.getItem(STORAGE_KEY);
  if (raw === null || raw === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!Array.isArray(parsed)) return [];
    return parsed.flatMap((item: unknown): SavedRunner[] => {
      if (typeof item !== 'object' || item === null) return [];
      const { url, token } = item as { url?: unknown; token?: unknown };
      return typeof url === 'string' && typeof token === 'string' ? [{ url, token }] : [];
    });
  } catch {
    return [];
  }
}

/** All runner connections. */
export class RunnerRegistry {
  /** Connections in the order they were added. */
  connections: RunnerConnection[] = $state.raw([]);
  /** URL of the runner `npm start` launched (not saved), if any. */
  localUrl: string | null = $state(null);
  /** Runners that are connected and welcomed. */
  readonly ready = $derived(this.connections.filter((c) => c.ready));

  readonly #store: KeyValueStore | null;
  readonly #options: ConnectionOptions;

  constructor(store: KeyValueStore | null, options: ConnectionOptions = {}) {
    this.#store = store;
    this.#options = options;
  }

  /** Connects to the saved runners and, when given, the local one from `npm start`. */
  start(local: SavedRunner | null): void {
    if (local !== null && checkRunnerUrl(local.url) === null) {
      this.localUrl = local.url;
      this.#open(local);
    }
    for (const saved of readSaved(this.#store)) {
      if (!this.connections.some((c) => c.url === saved.url)) this.#open(saved);
    }
  }

  /** Adds (and connects to) a runner; returns an error message for a bad URL or a duplicate. */
  add(url: string, token: string): string | null {
    const trimmed = url.trim();
    const problem = checkRunnerUrl(trimmed);
    if (problem !== null) return problem;
    if (this.connections.some((c) => c.url === trimmed)) {
      return `runner URL: ${trimmed} is already in the list`;
    }
    this.#open({ url: trimmed, token });
    this.#save();
    return null;
  }

  /** Disconnects and forgets a runner. */
  remove(url: string): void {
    const conn = this.connections.find((c) => c.url === url);
    conn?.disconnect();
    this.connections = this.connections.filter((c) => c.url !== url);
    if (this.localUrl === url) this.localUrl = null;
    this.#save();
  }

  /** The connection for a URL, if present. */
  get(url: string): RunnerConnection | undefined {
    return this.connections.find((c) => c.url === url);
  }

  /** Closes every connection (page unload, tests). */
  closeAll(): void {
    for (const c of this.connections) c.disconnect();
  }

  #open(runner: SavedRunner): void {
    const conn = new RunnerConnection(runner.url, runner.token, this.#options);
    this.connections = [...this.connections, conn];
    conn.connect();
  }

  #save(): void {
    const saved = this.connections
      .filter((c) => c.url !== this.localUrl)
      .map((c) => ({ url: c.url, token: c.token }));
    this.#store?.setItem(STORAGE_KEY, JSON.stringify(saved));
  }
}
