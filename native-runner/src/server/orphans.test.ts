/**
 * A runner killed with SIGKILL takes its harness with it: the harness runs in its own process
 * group and checks for its parent's death (prctl PR_SET_PDEATHSIG in the C++ harnesses). A real
 * `attnlab serve` with the real cpu backend is started, given a long job, and killed.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../src/node/host.ts';
import { TestClient } from './testing/client.ts';

const BIN = join(REPO_ROOT, 'bin', 'attnlab.js');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attnlab-orphans-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Pids of the live children of `parent` (from /proc), with their command names. */
async function childrenOf(parent: number): Promise<{ pid: number; comm: string }[]> {
  const found: { pid: number; comm: string }[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid …: comm may hold spaces, so split after the last ')'.
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z' && Number(fields[1]) === parent)
        found.push({ pid: Number(name), comm });
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** True while `pid` runs; an exited process not yet reaped (a zombie) counts as gone. */
async function alive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

it.runIf(process.platform === 'linux')(
  'kill -9 of attnlab serve leaves no harness running',
  async () => {
    const server = spawn(
      process.execPath,
      [BIN, 'serve', '--port', '0', '--results', dir, '--allow-origin', '*'],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const lines: string[] = [];
    const url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: server.stdout }).on('line', (line) => {
        lines.push(line);
        const m = /^attnlab runner listening on (ws:\/\/\S+)$/.exec(line);
        if (m?.[1] !== undefined) resolve(m[1]);
      });
      server.once('exit', (code) => {
        reject(new Error(`serve exited with ${String(code)}`));
      });
    });
    const serverPid = server.pid ?? -1;
    let harness: number | undefined;
    try {
      const c = await TestClient.open(url);
      // Long and silent: one launch of this run takes minutes on 2 cores, printing nothing (a
      // harness that prints would die of SIGPIPE on its own; a silent one needs the fix).
      c.send({
        type: 'run',
        id: 'long',
        backend: 'cpu',
        kernel: 'cpu-flash-f32',
        config: { batch: 1, heads: 4, seqLen: 32768, headDim: 64, causal: false, dtype: 'f32' },
        stop: { kind: 'count', iterations: 1000 },
      });
      for (let i = 0; i < 200 && harness === undefined; i++) {
        await new Promise((r) => setTimeout(r, 50));
        harness = (await childrenOf(serverPid)).find((p) => p.comm === 'attnlab-cpu')?.pid;
      }
      expect(harness).toBeTypeOf('number');
      // The banner went to stdout after the first line: the '*' warning is there.
      expect(lines.join('\n')).toMatch(/WARNING: --allow-origin '\*' without a token/);
      c.terminate();
      server.kill('SIGKILL');
      const t0 = performance.now();
      while ((await alive(harness ?? -1)) && performance.now() - t0 < 5000) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(await alive(harness ?? -1)).toBe(false);
      expect(performance.now() - t0).toBeLessThan(3000);
    } finally {
      server.kill('SIGKILL');
      if (harness !== undefined && (await alive(harness))) process.kill(harness, 'SIGKILL');
    }
  },
  60_000,
);
