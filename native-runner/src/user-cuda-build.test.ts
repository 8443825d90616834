/**
 * User CUDA kernels: the build is keyed by the source's content (and id and arch), shares the
 * built-in harness objects, and the sample in examples/ compiles with nvcc against
 * attnlab_user.h; a broken copy fails with nvcc's file:line. (Running it needs a GPU host.)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findNvcc, planBuild } from './build.ts';
import { planUserCudaBuild } from './user-cuda-build.ts';

const dir = mkdtempSync(join(tmpdir(), 'attnlab-user-cu-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
const sample = readFileSync(new URL('../../examples/user_attention.cu', import.meta.url), 'utf8');
const write = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('user CUDA build plan', () => {
  it('is keyed by content, id and arch, never by the file name', () => {
    const a = planUserCudaBuild(write('a.cu', sample), 'mine', '90');
    const b = planUserCudaBuild(write('b.cu', sample), 'mine', '90');
    const edited = planUserCudaBuild(write('c.cu', `${sample}\n// edit\n`), 'mine', '90');
    expect(a.output).toBe(b.output);
    expect(a.output).toMatch(/cuda\/user\/[0-9a-f]{16}-mine-sm90\/attnlab-cuda-user$/);
    expect(edited.output).not.toBe(a.output);
    expect(planUserCudaBuild(write('a.cu', sample), 'mine', '80').output).not.toBe(a.output);
    expect(planUserCudaBuild(write('a.cu', sample), 'other', '90').output).not.toBe(a.output);
    expect(() => planUserCudaBuild(write('a.cu', sample), '../x', '90')).toThrow(
      /kernel id "\.\.\/x"/,
    );
  });

  it('reuses the built-in harness and reference objects and registers the id through the adapter', () => {
    const plan = planUserCudaBuild(write('a.cu', sample), 'mine', '90');
    const builtin = planBuild('cuda', { archs: ['90'] });
    const shared = builtin.compile
      .map((s) => s.cache?.output ?? '')
      .filter((o) => /\/(harness|naive_f32)\.o$/.test(o));
    expect(shared).toHaveLength(2);
    expect(plan.compile.slice(0, 2).map((s) => s.cache?.output)).toEqual(shared);
    expect(plan.flags).toBe(builtin.flags);
    const [adapter, user] = plan.compile.slice(2);
    expect(adapter?.args).toContain('-DATTNLAB_USER_ID="mine"');
    expect(user?.args).toEqual(expect.arrayContaining(['-x', 'cu', join(dir, 'a.cu')]));
    expect(plan.link.args.filter((x) => x.endsWith('.o'))).toHaveLength(4);
  });
});

describe.skipIf(findNvcc() === null)('the sample kernel with nvcc', () => {
  const compile = (path: string): { status: number | null; stderr: string } => {
    const step = planUserCudaBuild(path, 'sample', '90').compile.at(-1);
    if (!step) throw new Error('no user compile step');
    const args = step.args.slice();
    args[args.indexOf('-o') + 1] = join(dir, 'u.o');
    const run = spawnSync(step.command, args, { encoding: 'utf8', timeout: 300_000 });
    return { status: run.status, stderr: run.stderr };
  };

  it('compiles examples/user_attention.cu against attnlab_user.h', () => {
    const out = compile(new URL('../../examples/user_attention.cu', import.meta.url).pathname);
    expect(out.stderr).not.toMatch(/error/);
    expect(out.status).toBe(0);
  }, 300_000);

  it('a broken copy fails with nvcc naming the file and line', () => {
    const lines = sample.split('\n');
    const at = lines.findIndex((l) => l.includes('const float alpha = __expf(m - m_new);'));
    lines[at] = '    const float alpha = __expf(m - m_neww);';
    const out = compile(write('broken.cu', lines.join('\n')));
    expect(out.status).not.toBe(0);
    expect(out.stderr).toMatch(
      new RegExp(`broken\\.cu\\(${at + 1}\\): error: identifier "m_neww" is undefined`),
    );
  }, 300_000);
});
