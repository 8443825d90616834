/**
 * The CUDA sources compile with nvcc (sm_90 here; `npm run build:native` does sm_80/89/90), the
 * harness behaves on a machine without a GPU, and flash-v1's algorithm — the same source the
 * GPU runs — passes the host emulator, which models mma.sync from the PTX fragment tables; so
 * does flash-decode's (split-KV partials + combine, GQA rows, bottom-right causal) on the
 * grouped-query/decode shapes of issue 14.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kernelInfoSchema, parseHarnessLine } from '../../../src/model/index.ts';
import { ensureBuilt, findNvcc, isFresh, runBuild, tmpOutput } from '../build.ts';
import type { BuildPlan } from '../build.ts';
import { BUILD_ROOT, NATIVE_ROOT } from './host.ts';

function exec(
  command: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { encoding: 'utf8', timeout: 300_000 }, (error, stdout, stderr) => {
      resolve({
        code: error ? (typeof error.code === 'number' ? error.code : -1) : 0,
        stdout,
        stderr,
      });
    });
  });
}

function lines(stdout: string) {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const parsed = parseHarnessLine(l);
      if (!parsed.ok) throw new Error(parsed.error);
      return parsed.line;
    });
}

describe('cuda harness build', () => {
  it('compiles for sm_90 and behaves without a GPU', async () => {
    const harness = await ensureBuilt('cuda', { archs: ['90'] });
    const list = await exec(harness, ['--list']);
    expect(list.code).toBe(0);
    const kernels = list.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => kernelInfoSchema.parse(JSON.parse(l)));
    expect(kernels.find((k) => k.id === 'flash-v1')).toMatchObject({
      dtypes: ['f16', 'bf16'],
      headDims: [32, 64, 128],
      causal: true,
    });
    expect(kernels.find((k) => k.id === 'naive-f32')?.headDims).toHaveLength(32);

    const bad = await exec(harness, ['--kernel', 'flash-v1', '--seq', '0']);
    expect(bad.code).toBe(2);
    expect(lines(bad.stdout)).toEqual([
      {
        type: 'error',
        code: 'bad-config',
        message: '--seq: must be an integer in 1..65536 (got "0")',
      },
    ]);

    // With a GPU the harness says hello with its fingerprint; without one it says why, cleanly.
    const info = lines((await exec(harness, ['--info'])).stdout);
    expect(info).toHaveLength(1);
    const first = info[0];
    if (first?.type === 'hello') {
      expect(first.env.gpu?.computeCapability).toMatch(/^\d+\.\d+$/);
    } else {
      expect(first).toMatchObject({ type: 'error', code: 'unsupported' });
      if (first?.type === 'error') expect(first.message).toMatch(/^no CUDA GPU available: /);
    }
  }, 900_000);

  /** Builds (when stale) a host emulator from one .cu file and the headers it includes. */
  async function emulator(name: string, headers: string[]): Promise<string> {
    const nvcc = findNvcc();
    expect(nvcc, 'nvcc is needed to build the emulator').not.toBeNull();
    const cuda = join(NATIVE_ROOT, 'cuda');
    const output = join(BUILD_ROOT, 'cuda', name);
    const flags = '-O2 -std=c++17';
    const plan: BuildPlan = {
      target: 'cuda',
      output,
      sources: [`${name}.cu`, ...headers, 'common.cuh']
        .map((f) => join(cuda, f))
        .concat(['harness_common.hpp', 'reference.hpp'].map((f) => join(NATIVE_ROOT, 'cpu', f))),
      compile: [],
      link: {
        command: nvcc ?? 'nvcc',
        args: [...flags.split(' '), '-o', tmpOutput({ output }), join(cuda, `${name}.cu`)],
      },
      flags,
    };
    if (!isFresh(plan)) await runBuild(plan);
    return output;
  }

  it('flash-v1 passes the host emulation against f64 (f16/bf16, D 32/64/128, causal, odd S, GQA)', async () => {
    const r = await exec(await emulator('emulate_flash', ['flash_v1.cuh', 'reference_kv.hpp']), [
      '--quick',
    ]);
    expect(r.stdout).toMatch(/EMULATION PASSED: 0 failure\(s\)/);
    // Two of them grouped-query with S ≠ Skv (bottom-right causal; S > Skv leaves rows empty).
    expect(r.stdout).toMatch(/^PASS .* H=4 Hkv=2 S=77 Skv=300 D=64 causal/m);
    expect(r.stdout).toMatch(/^PASS .* H=4 Hkv=1 S=77 Skv=3 D=64 causal/m);
    expect(r.stdout.match(/^PASS /gm)).toHaveLength(7);
    expect(r.code).toBe(0);
  }, 600_000);

  it('flash-decode passes the host emulation against f64 (GQA, split KV, bottom-right causal)', async () => {
    const built = await emulator('emulate_decode', ['flash_decode.cuh', 'reference_kv.hpp']);
    const r = await exec(built, ['--quick']);
    expect(r.stdout).toMatch(/EMULATION PASSED: 0 failure\(s\) in 5 case\(s\)/);
    // The cases reach the paths that matter: several KV splits (combine), MQA (Hkv = 1), and
    // causal rows that see no key (S = 77 > Skv = 1).
    expect(r.stdout).toMatch(/^PASS .* Hkv=1 S=1 Skv=1000 .* splits=6:/m);
    expect(r.stdout).toMatch(/^PASS .* S=77 Skv=1 D=64 causal .* splits=1:/m);
    expect(r.stdout.match(/^PASS /gm)).toHaveLength(5);
    expect(r.code).toBe(0);
  }, 600_000);
});
