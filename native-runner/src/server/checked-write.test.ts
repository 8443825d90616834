/**
 * Checked writes on a full disk: a short or failed write never leaves a partial file under the
 * final name nor a temp file; leftovers of a killed runner are cleaned at start; the results
 * folder is checked at start. An injected file system plays the full disk, and, where this
 * machine lets us mount one, a real 64 KiB tmpfs does.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../../src/stats/index.ts';
import {
  cleanTempFiles,
  ensureWritableDir,
  nodeWriteFs,
  writeFileChecked,
} from './checked-write.ts';
import type { WriteFs, WriteHandle } from './checked-write.ts';
import { TestClient } from './testing/client.ts';
import { fakeBackend } from './testing/fake-backends.ts';
import { runMessage, startTestServer } from './testing/setup.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attnlab-checked-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A file system whose disk holds `capacity` bytes: writes past it are short, then 0 or ENOSPC. */
function fullDisk(capacity: number, mode: 'short' | 'enospc'): WriteFs {
  let used = 0;
  return {
    ...nodeWriteFs,
    open: async (path) => {
      const real = await nodeWriteFs.open(path);
      const handle: WriteHandle = {
        write: async (buffer, offset, length, position) => {
          const room = Math.max(0, capacity - used);
          if (room === 0 && mode === 'enospc') {
            throw Object.assign(new Error('ENOSPC: no space left on device, write'), {
              code: 'ENOSPC',
            });
          }
          const n = Math.min(room, length);
          used += n;
          return n === 0 ? { bytesWritten: 0 } : real.write(buffer, offset, n, position);
        },
        sync: () => real.sync(),
        close: () => real.close(),
      };
      return handle;
    },
  };
}

function payload(bytes: number): string {
  const rng = createRng(15);
  return Array.from({ length: bytes }, () => String.fromCharCode(97 + rng.nextInt(26))).join('');
}

describe('writeFileChecked', () => {
  it('writes the whole file under its name and leaves no temp file', async () => {
    const path = join(dir, 'ok.json');
    const text = payload(50_000);
    await writeFileChecked(path, text);
    expect(await readFile(path, 'utf8')).toBe(text);
    expect((await readdir(dir)).filter((n) => n.startsWith('ok.json'))).toEqual(['ok.json']);
  });

  for (const mode of ['short', 'enospc'] as const) {
    it(`fails on a full disk (${mode} writes): no file under the name, no temp file`, async () => {
      const path = join(dir, `full-${mode}.json`);
      await expect(writeFileChecked(path, payload(10_000), fullDisk(4096, mode))).rejects.toThrow(
        mode === 'short'
          ? /cannot write .*full-short\.json: only 4096 of 10000 bytes could be written/
          : /cannot write .*full-enospc\.json: ENOSPC/,
      );
      expect((await readdir(dir)).filter((n) => n.startsWith(`full-${mode}`))).toEqual([]);
    });
  }

  it('fails when the size on disk is not what was written (a lying file system)', async () => {
    const path = join(dir, 'lying.json');
    const lying: WriteFs = { ...nodeWriteFs, size: async (p) => (await nodeWriteFs.size(p)) - 1 };
    await expect(writeFileChecked(path, payload(300), lying)).rejects.toThrow(
      /the file has 299 bytes on disk, 300 were written/,
    );
    expect((await readdir(dir)).filter((n) => n.startsWith('lying'))).toEqual([]);
  });
});

describe('at start', () => {
  it('removes temp files of dead runners and old foreign ones, and keeps everything else', async () => {
    const d = join(dir, 'leftovers');
    await mkdir(d);
    // A pid that cannot be alive: above the kernel's pid_max.
    const dead = 4_194_305;
    const names = {
      deadTemp: `a.json.${dead}.1`,
      liveTemp: `b.json.${process.ppid}.1`,
      oldHashed: 'c.json.1a2b3c4d',
      freshHashed: 'd.json.5e6f7a8b',
      result: 'e.json',
      other: 'notes.txt.123.4',
    };
    for (const n of Object.values(names)) await writeFile(join(d, n), 'x');
    const old = new Date(Date.now() - 120_000);
    await utimes(join(d, names.oldHashed), old, old);
    const removed = await cleanTempFiles(d);
    expect(removed.sort()).toEqual([names.deadTemp, names.oldHashed].sort());
    expect((await readdir(d)).sort()).toEqual(
      [names.liveTemp, names.freshHashed, names.result, names.other].sort(),
    );
  });

  it('checks that the results folder is writable, creating it when missing', async () => {
    await ensureWritableDir(join(dir, 'new', 'results'));
    expect(await readdir(join(dir, 'new', 'results'))).toEqual([]);
    await expect(ensureWritableDir(join(dir, 'x'), fullDisk(0, 'enospc'))).rejects.toThrow(
      /^resultsDir: .*x is not a writable folder: ENOSPC/,
    );
  });

  it('cleans a killed runner’s temp files from the results folder when the runner starts', async () => {
    const d = join(dir, 'restart');
    await mkdir(d);
    await writeFile(join(d, `2025-run.json.4194305.7`), '{"trunc');
    const t = await startTestServer({ resultsDir: d });
    try {
      expect(await readdir(d)).toEqual([]);
      expect(t.logs.join('\n')).toMatch(/removed 1 unfinished temp file\(s\).*2025-run\.json\./);
    } finally {
      await t.stop();
    }
  });
});

/** Mounts a 64 KiB tmpfs (root on Linux only); null when this machine does not allow it. */
function mountTinyTmpfs(at: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', at], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('a real full disk (64 KiB tmpfs)', () => {
  it('tells the client the result was NOT saved and leaves no truncated file', async (ctx) => {
    const at = join(dir, 'tiny');
    await mkdir(at);
    if (!mountTinyTmpfs(at)) {
      ctx.skip();
      return;
    }
    try {
      const fake = fakeBackend({ id: 'fake', kernels: { bulk: 'bulk' } });
      const t = await startTestServer({ resultsDir: at, fakes: [fake] });
      try {
        const c = await TestClient.open(t.server.url);
        // 5,000 samples: a result file of ~150 KB, more than the disk holds.
        c.send(runMessage('big', 'bulk', { stop: { kind: 'count', iterations: 5000 } }));
        const done = await c.final('big', 60_000);
        expect(done.type).toBe('runDone');
        expect(done.saved?.ok).toBe(false);
        expect(done.saved?.ok === false ? done.saved.error : '').toMatch(/ENOSPC|could be written/);
        expect(await readdir(at)).toEqual([]);
        // A small run still fits and is saved whole.
        c.send(runMessage('small', 'bulk', { stop: { kind: 'count', iterations: 5 } }));
        const small = await c.final('small', 60_000);
        expect(small.saved?.ok).toBe(true);
        const path = small.saved?.ok === true ? small.saved.path : '';
        expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ status: 'completed' });
        c.close();
      } finally {
        await t.stop();
      }
    } finally {
      execFileSync('umount', [at]);
    }
  }, 60_000);
});
