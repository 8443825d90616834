/**
 * Compile-on-first-use: the build plans carry the right flags, a build installs its output and
 * a stamp atomically, a newer source or a changed command makes it stale, and a compiler error
 * comes back quoted.
 */
import { existsSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BuildError, findGxx, isFresh, planBuild, runBuild } from './build.ts';
import type { BuildPlan } from './build.ts';

const dir = mkdtempSync(join(tmpdir(), 'attnlab-build-'));

function tinyPlan(name: string, source: string, flags = '-O1'): BuildPlan {
  const src = join(dir, `${name}.cpp`);
  writeFileSync(src, source);
  const output = join(dir, name);
  return {
    target: 'cpu',
    output,
    sources: [src],
    command: findGxx() ?? 'g++',
    args: [flags, '-o', `${output}.tmp${process.pid}`, src],
    flags,
  };
}

describe('build plans', () => {
  it('cpu: g++ -O3 -march=native -fopenmp, the flags recorded for the fingerprint', () => {
    const plan = planBuild('cpu');
    expect(plan.flags).toBe('-O3 -march=native -fopenmp -std=c++17');
    expect(plan.args).toContain('-DATTNLAB_CXX_FLAGS="-O3 -march=native -fopenmp -std=c++17"');
    expect(plan.output).toMatch(/native-runner\/build\/cpu\/attnlab-cpu$/);
    expect(plan.sources.some((s) => s.endsWith('kernels.cpp'))).toBe(true);
  });

  it('cuda: sm_80, sm_89, sm_90 by default, plus compute_90 PTX', () => {
    const plan = planBuild('cuda');
    for (const a of ['80', '89', '90'])
      expect(plan.flags).toContain(`-gencode arch=compute_${a},code=sm_${a}`);
    expect(plan.flags).toContain('-gencode arch=compute_90,code=compute_90');
    expect(plan.sources.some((s) => s.endsWith('flash_v1.cu'))).toBe(true);
    expect(plan.sources.some((s) => s.endsWith('emulate_flash.cu'))).toBe(false);
    expect(planBuild('cuda', { archs: ['90'] }).flags).not.toContain('sm_80');
    expect(() => planBuild('cuda', { archs: ['sm_90; rm -rf /'] })).toThrow(BuildError);
  });
});

describe('runBuild and freshness', () => {
  it('installs the output with a stamp; changed sources or flags make it stale', async () => {
    const plan = tinyPlan('hello', 'int main() { return 7; }\n');
    expect(isFresh(plan)).toBe(false);
    await runBuild(plan);
    expect(existsSync(plan.output)).toBe(true);
    expect(existsSync(`${plan.output}.tmp${process.pid}`)).toBe(false);
    expect(isFresh(plan)).toBe(true);
    // Only content counts: a touched but unchanged source is still fresh…
    const future = new Date(Date.now() + 60_000);
    utimesSync(plan.sources[0] ?? '', future, future);
    expect(isFresh(plan)).toBe(true);
    // …an edited one is stale, even when the output is newer than the edit.
    writeFileSync(plan.sources[0] ?? '', 'int main() { return 8; }\n');
    utimesSync(plan.output, new Date(Date.now() + 120_000), new Date(Date.now() + 120_000));
    expect(isFresh(plan)).toBe(false);
    await runBuild(plan);
    expect(isFresh(plan)).toBe(true);
    expect(isFresh({ ...plan, flags: '-O2' })).toBe(false);
  });

  it('quotes the compiler when a build fails, and leaves no output', async () => {
    const plan = tinyPlan('broken', 'int main() { return undeclared_thing; }\n');
    const err = await runBuild(plan).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BuildError);
    expect((err as Error).message).toMatch(
      /building the cpu harness failed: g\+\+ exited with code 1/,
    );
    expect((err as Error).message).toMatch(/undeclared_thing/);
    expect(existsSync(plan.output)).toBe(false);
  });

  it('reports a missing compiler', async () => {
    const plan = { ...tinyPlan('nocc', 'int main() {}\n'), command: join(dir, 'no-such-compiler') };
    await expect(runBuild(plan)).rejects.toThrow(/cannot run .*no-such-compiler/);
  });
});
