/**
 * Compile-on-first-use: the build plans carry the right flags, a build installs its output and
 * a stamp atomically, a newer source or a changed command makes it stale, and a compiler error
 * comes back quoted.
 */
import { existsSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BuildError,
  cudaKernelFiles,
  findGxx,
  isFresh,
  planBuild,
  runBuild,
  tmpOutput,
} from './build.ts';
import type { BuildPlan } from './build.ts';

const dir = mkdtempSync(join(tmpdir(), 'attnlab-build-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function tinyPlan(name: string, source: string, flags = '-O1'): BuildPlan {
  const src = join(dir, `${name}.cpp`);
  writeFileSync(src, source);
  const output = join(dir, name);
  const cxx = findGxx() ?? 'g++';
  return {
    target: 'cpu',
    output,
    sources: [src],
    compile: [
      {
        command: cxx,
        args: [flags, '-c', '-o', `${output}.o`, src],
        cache: { output: `${output}.o`, inputs: [src] },
      },
    ],
    link: { command: cxx, args: ['-o', tmpOutput({ output }), `${output}.o`] },
    flags,
  };
}

describe('build plans', () => {
  it('cpu: g++ -O3 -march=native -fopenmp, the flags recorded for the fingerprint', () => {
    const plan = planBuild('cpu');
    expect(plan.flags).toBe('-O3 -march=native -fopenmp -std=c++17');
    expect(plan.compile).toEqual([]);
    expect(plan.link.args).toContain('-DATTNLAB_CXX_FLAGS="-O3 -march=native -fopenmp -std=c++17"');
    expect(plan.output).toMatch(/native-runner\/build\/cpu\/attnlab-cpu$/);
    expect(plan.sources.some((s) => s.endsWith('kernels.cpp'))).toBe(true);
  });

  it('cuda: sm_80, sm_89, sm_90 (as sm_90a) by default, plus compute_90 PTX; every kernel file', () => {
    const plan = planBuild('cuda');
    expect(plan.flags).toContain('-gencode arch=compute_80,code=sm_80');
    expect(plan.flags).toContain('-gencode arch=compute_89,code=sm_89');
    expect(plan.flags).toContain('-gencode arch=compute_90a,code=sm_90a');
    expect(plan.flags).toContain('-gencode arch=compute_90,code=compute_90');
    // One object per unit: the harness, the reference and each flash_*.cu kernel version.
    const units = plan.compile.map((s) => s.args.at(-1) ?? '');
    expect(units.map((u) => u.split('/').at(-1))).toEqual([
      'harness.cu',
      'naive_f32.cu',
      ...cudaKernelFiles().map((f) => f.split('/').at(-1)),
    ]);
    expect(units.some((u) => u.endsWith('flash_v1.cu'))).toBe(true);
    expect(plan.compile.every((s) => s.args.includes('-c'))).toBe(true);
    expect(plan.link.args).toContain('-ldl');
    expect(plan.sources.some((s) => s.endsWith('emulate_flash.cu'))).toBe(false);
    expect(plan.output).toMatch(/build\/cuda\/attnlab-cuda$/);
    const one = planBuild('cuda', { archs: ['90'] });
    expect(one.flags).not.toContain('sm_80');
    expect(one.output).toMatch(/build\/cuda\/attnlab-cuda-sm90$/);
    expect(() => planBuild('cuda', { archs: ['sm_90; rm -rf /'] })).toThrow(BuildError);
  });
});

describe('runBuild and freshness', () => {
  it('installs the output with a stamp; changed sources or flags make it stale', async () => {
    const plan = tinyPlan('hello', 'int main() { return 7; }\n');
    expect(isFresh(plan)).toBe(false);
    await runBuild(plan);
    expect(existsSync(plan.output)).toBe(true);
    expect(existsSync(tmpOutput(plan))).toBe(false);
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

  it('reuses objects whose inputs did not change', async () => {
    const plan = tinyPlan('objects', 'int main() { return 1; }\n');
    await runBuild(plan);
    const object = `${plan.output}.o`;
    const first = statSync(object).mtimeMs;
    rmSync(plan.output);
    await new Promise((r) => setTimeout(r, 20));
    await runBuild(plan); // relinks, does not recompile
    expect(statSync(object).mtimeMs).toBe(first);
    expect(existsSync(plan.output)).toBe(true);
    writeFileSync(plan.sources[0] ?? '', 'int main() { return 2; }\n');
    await runBuild(plan);
    expect(statSync(object).mtimeMs).toBeGreaterThan(first);
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
    const base = tinyPlan('nocc', 'int main() {}\n');
    const plan = {
      ...base,
      compile: [],
      link: { ...base.link, command: join(dir, 'no-such-compiler') },
    };
    await expect(runBuild(plan)).rejects.toThrow(/cannot run .*no-such-compiler/);
  });
});
