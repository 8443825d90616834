/** Starts a runner on 127.0.0.1 with an ephemeral port and a temporary results folder. */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readResult } from '../../../../src/model/index.ts';
import type { ResultFile } from '../../../../src/model/index.ts';
import { resultFileName } from '../results.ts';
import { startServer } from '../server.ts';
import type { RunningServer } from '../server.ts';
import type { ServerOptions } from '../options.ts';
import { fakeBackend } from './fake-backends.ts';
import type { FakeBackend } from './fake-backends.ts';

/** A test runner and its surroundings. */
export interface TestServer {
  /** The running server. */
  server: RunningServer;
  /** The fake backends it serves, by id. */
  fakes: Map<string, FakeBackend>;
  /** Log lines the server wrote. */
  logs: string[];
  /** Reads every result file written so far, validated. */
  results(): Promise<{ name: string; result: ResultFile }[]>;
  /** The result files of client run `runId` (matched by file name). */
  resultsOf(runId: string): Promise<ResultFile[]>;
  /** Closes the server and removes the results folder. */
  stop(): Promise<void>;
}

/**
 * Starts a runner over fake backends: by default `fake` (gpu lane) and `cpu` (its own lane),
 * each with every fake behaviour as a kernel.
 */
export async function startTestServer(
  options: ServerOptions & { fakes?: FakeBackend[] } = {},
): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), 'attnlab-server-'));
  const fakes = options.fakes ?? [fakeBackend({ id: 'fake' }), fakeBackend({ id: 'cpu' })];
  const logs: string[] = [];
  const server = await startServer({
    port: 0,
    resultsDir: dir,
    log: (line) => logs.push(line),
    gpus: [], // hermetic: no nvidia-smi unless a test injects GPUs
    ...options,
    backends: options.backends ?? fakes,
  });
  const results = async (): Promise<{ name: string; result: ResultFile }[]> => {
    const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
    return Promise.all(
      names.map(async (name) => ({
        name,
        result: readResult(JSON.parse(await readFile(join(dir, name), 'utf8')), name),
      })),
    );
  };
  return {
    server,
    fakes: new Map(fakes.map((f) => [f.id, f])),
    logs,
    results,
    async resultsOf(runId: string) {
      const all = await results();
      return all.filter((f) => f.name === resultFileName(f.result, runId)).map((f) => f.result);
    },
    async stop() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A small valid config. */
export const SMALL_CONFIG = {
  batch: 1,
  heads: 2,
  seqLen: 64,
  headDim: 64,
  causal: false,
  dtype: 'f32',
} as const;

/** A `run` message for the fake backends. */
export function runMessage(
  id: string,
  kernel = 'stream',
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    type: 'run',
    id,
    backend: 'fake',
    kernel,
    config: SMALL_CONFIG,
    stop: { kind: 'count', iterations: 40 },
    seed: 7,
    ...extra,
  };
}
