/**
 * Harness processes die with their parent: a Python harness (python/parent_death.py) and a
 * Node one (parent-watch.ts) are started under a parent that is then killed with SIGKILL.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { NATIVE_ROOT, findExecutable } from './host.ts';

/** True while `pid` runs; an exited process not yet reaped (a zombie) counts as gone. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Starts `node -e PARENT` which starts `command args` and prints the child's pid; kills the
 * parent with SIGKILL and returns how long the child outlived it (ms, capped at 5000).
 */
async function outlives(command: string, args: string[]): Promise<number> {
  const parentScript = `
    const { spawn } = require('node:child_process');
    const child = spawn(${JSON.stringify(command)}, ${JSON.stringify(args)}, { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.once('data', () => console.log(child.pid));
    setInterval(() => undefined, 1000);
  `;
  const parent = spawn(process.execPath, ['-e', parentScript], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const pid = await new Promise<number>((resolve) => {
    parent.stdout.once('data', (d: Buffer) => {
      resolve(Number(d.toString().trim()));
    });
  });
  expect(alive(pid)).toBe(true);
  parent.kill('SIGKILL');
  const t0 = performance.now();
  while (alive(pid) && performance.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 25));
  const took = performance.now() - t0;
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  return took;
}

it.runIf(process.platform === 'linux' && findExecutable('python3') !== null)(
  'a Python harness exits within a second of its parent’s death',
  async () => {
    const script = [
      'import sys, time',
      `sys.path.insert(0, ${JSON.stringify(join(NATIVE_ROOT, 'python'))})`,
      'from parent_death import exit_with_parent',
      'exit_with_parent(0.1)',
      'print("ready", flush=True)',
      'time.sleep(60)',
    ].join('\n');
    expect(await outlives('python3', ['-c', script])).toBeLessThan(1000);
  },
  20_000,
);

it.runIf(process.platform === 'linux')(
  'a Node harness exits within a second of its parent’s death',
  async () => {
    const watch = join(NATIVE_ROOT, 'src', 'backends', 'parent-watch.ts');
    const script = `
    const { exitWithParent } = await import(${JSON.stringify(watch)});
    exitWithParent(100);
    console.log('ready');
    setInterval(() => undefined, 1000);
  `;
    const tsx = import.meta.resolve('tsx');
    expect(
      await outlives(process.execPath, ['--import', tsx, '--input-type=module', '-e', script]),
    ).toBeLessThan(1000);
  },
  20_000,
);
