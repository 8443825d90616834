/** The result store: safe, unique file names, atomic writes, and what happens when writing fails. */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readResult } from '../../../src/model/index.ts';
import type { ResultFile } from '../../../src/model/index.ts';
import { emptyObserved, synthesizeResult } from './outcome.ts';
import { ResultStore, resultFileName, sanitizeNamePart } from './results.ts';
import { TestClient } from './testing/client.ts';
import { SMALL_CONFIG, runMessage, startTestServer } from './testing/setup.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attnlab-store-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function result(id: string, backend = 'cpu', kernel = 'naive'): ResultFile {
  return synthesizeResult({
    request: {
      id,
      config: SMALL_CONFIG,
      kernel,
      stop: { kind: 'count', iterations: 3 },
      cache: 'cold',
      seed: 3,
    },
    backendId: backend,
    env: {},
    createdAt: '2025-11-23T22:49:07.123Z',
    observed: { ...emptyObserved(), ms: [1.25, 1.5, 1.0625] },
    status: 'cancelled',
    error: { code: 'cancelled', message: 'test' },
  });
}

describe('file names', () => {
  it('is <createdAt>-<backend>-<kernel>-<id>.json with the colons of the time replaced', () => {
    expect(resultFileName(result('run-1', 'cuda', 'flash-v1'))).toBe(
      '2025-11-23T22-49-07.123Z-cuda-flash-v1-run-1.json',
    );
  });

  it('cannot escape the folder or hide a file', () => {
    for (const bad of ['../../etc/passwd', '..', '.hidden', 'a/b\\c', 'x\u0000y', '']) {
      const part = sanitizeNamePart(bad);
      expect(part).toMatch(/^[A-Za-z0-9_][A-Za-z0-9._-]*$/);
      expect(part).not.toContain('..');
    }
    expect(sanitizeNamePart('a'.repeat(500))).toHaveLength(80);
    expect(resultFileName(result('ok', '../cuda', 'k/../x'))).toBe(
      '2025-11-23T22-49-07.123Z-__cuda-k___x-ok.json',
    );
  });
});

describe('ResultStore', () => {
  it('writes a readable result file and never overwrites one with the same name', async () => {
    const store = new ResultStore(join(dir, 'nested', 'results'));
    const r = result('same');
    const paths = await Promise.all([store.write(r), store.write(r), store.write(r)]);
    expect(paths.map((p) => p.slice(store.dir.length + 1))).toEqual([
      '2025-11-23T22-49-07.123Z-cpu-naive-same.json',
      '2025-11-23T22-49-07.123Z-cpu-naive-same-2.json',
      '2025-11-23T22-49-07.123Z-cpu-naive-same-3.json',
    ]);
    for (const p of paths) {
      expect(readResult(JSON.parse(await readFile(p, 'utf8')))).toEqual(r);
    }
    // Atomic writes leave no temporary files behind.
    expect((await readdir(store.dir)).sort()).toEqual(
      paths.map((p) => p.slice(store.dir.length + 1)).sort(),
    );
  });

  it('refuses to start when the results folder is not a writable folder', async () => {
    const blocker = join(dir, 'not-a-folder');
    await writeFile(blocker, 'x');
    await expect(startTestServer({ resultsDir: blocker })).rejects.toThrow(
      /^resultsDir: .*not-a-folder is not a writable folder: /,
    );
  });

  it('sends runDone saying the result was NOT saved when the folder breaks later, and logs why', async () => {
    const t = await startTestServer();
    try {
      const c = await TestClient.open(t.server.url);
      // The folder becomes a file after the start-up check: every write now fails.
      await rm(t.server.resultsDir, { recursive: true });
      await writeFile(t.server.resultsDir, 'x');
      c.send(runMessage('unsaved', 'stream', { stop: { kind: 'count', iterations: 5 } }));
      const done = await c.final('unsaved');
      expect(done.type).toBe('runDone');
      expect(done.saved).toMatchObject({ ok: false });
      expect(done.saved?.ok === false ? done.saved.error : '').toMatch(/NOT saved/);
      expect(t.logs.some((l) => /job unsaved: could not write its result file/.test(l))).toBe(true);
      c.close();
    } finally {
      await rm(t.server.resultsDir, { force: true });
      await t.stop();
    }
  });
});
