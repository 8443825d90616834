/**
 * `attnlab run --backend webgpu --kernel-file`: a user's WGSL goes through the same check →
 * time → result path as a built-in (Dawn on SwiftShader), and a kernel that does not compile
 * exits 1 naming the line of the user's file.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseResultText } from '../../model/index.ts';

const root = new URL('../../../', import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'attnlab-user-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
const flashF32 = readFileSync(new URL('shaders/flash-f32/flash_f32.wgsl', root), 'utf8');

function attnlab(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ['bin/attnlab.js', 'run', ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const SHAPE = ['-b', '1', '-H', '2', '-s', '77', '-d', '64', '--causal', '--iterations', '5'];

describe('attnlab run --backend webgpu --kernel-file', () => {
  it('a copied built-in passes the f64 check on odd S and its source is in the result', () => {
    const file = write('my_flash.wgsl', flashF32);
    const out = join(dir, 'r.json');
    const run = attnlab([
      '--backend',
      'webgpu',
      '--kernel-file',
      file,
      '--like',
      'flash-f32',
      ...SHAPE,
      '--out',
      out,
    ]);
    expect(run.stderr).not.toMatch(/attnlab:/);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('dawn / my_flash — B=1 H=2 S=77 D=64 f32 causal');
    expect(run.stdout).toMatch(/correctness\s+passed vs f64-cpu \(154\/154 rows/);
    const result = parseResultText(readFileSync(out, 'utf8'), out);
    expect(result.schema).toBe('attnlab/result@1.2');
    expect(result.samples.ms).toHaveLength(5);
    expect(result.target.kernel).toBe('my_flash');
    expect(result.target.kernelParams.Br).toBe(16);
    expect(result.target.userKernel).toEqual({
      language: 'wgsl',
      like: 'flash-f32',
      source: flashF32,
      sha256: createHash('sha256').update(flashF32).digest('hex'),
    });
  }, 120_000);

  it('takes the descriptor from the header comment without --like', () => {
    const file = write(
      'headed.wgsl',
      `// @attnlab id=headed scheme=row-per-invocation dtype=f32 entries=main\n${flashF32}`,
    );
    const run = attnlab(['--backend', 'webgpu', '--kernel-file', file, ...SHAPE]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('dawn / headed — B=1 H=2 S=77 D=64');
  }, 120_000);

  it('a broken copy exits 1 with the compiler message at the line of the file', () => {
    const lines = flashF32.split('\n');
    const at = lines.findIndex((l) => l.includes('l *= alpha;'));
    lines[at] = lines[at]?.replace('l *= alpha;', 'l *= alpah;') ?? '';
    const file = write('broken.wgsl', lines.join('\n'));
    const run = attnlab([
      '--backend',
      'webgpu',
      '--kernel-file',
      file,
      '--like',
      'flash-f32',
      ...SHAPE,
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      new RegExp(
        `status\\s+failed: WGSL of broken D=64 does not compile: broken\\.wgsl:${at + 1}:\\d+: .*alpah`,
      ),
    );
    expect(run.stdout).not.toMatch(/median/);
  }, 120_000);

  it('refuses a bad header, a missing descriptor and a kernel file on a backend without one', () => {
    const bad = attnlab([
      '--backend',
      'webgpu',
      '--kernel-file',
      write('bad.wgsl', `\n// @attnlab like=flash-f32 tiles=8\n${flashF32}`),
      ...SHAPE,
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/attnlab: bad\.wgsl:2: @attnlab: unknown key "tiles"/);
    const none = attnlab([
      '--backend',
      'webgpu',
      '--kernel-file',
      write('none.wgsl', flashF32),
      ...SHAPE,
    ]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(
      /none\.wgsl:1: no descriptor: add a header line "\/\/ @attnlab like=flash-f32" \(or pass --like\)/,
    );
    const cuda = attnlab([
      '--backend',
      'cuda',
      '--kernel-file',
      'examples/user_attention.cu',
      '--like',
      'flash-f32',
      ...SHAPE,
    ]);
    expect(cuda.code).toBe(2);
    expect(cuda.stderr).toMatch(/--like: only for WGSL kernels \(--backend webgpu\), not cuda/);
    const sdpa = attnlab(['--backend', 'sdpa', '--kernel-file', write('x.cu', '//'), ...SHAPE]);
    expect(sdpa.code).toBe(2);
    expect(sdpa.stderr).toMatch(/--kernel-file: backend sdpa takes no kernel file/);
    const missing = attnlab([
      '--backend',
      'webgpu',
      '--kernel-file',
      join(dir, 'nope.wgsl'),
      ...SHAPE,
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--kernel-file: cannot read .*nope\.wgsl/);
  }, 120_000);

  it('--vs times the copy against its built-in in alternating rounds and prints the verdict', () => {
    const file = write('ab_flash.wgsl', flashF32);
    const out = join(dir, 'ab-b.json');
    const vsOut = join(dir, 'ab-a.json');
    const small = ['-b', '1', '-H', '1', '-s', '33', '-d', '32'];
    const args = ['--backend', 'webgpu', '--kernel-file', file, '--like', 'flash-f32', ...small];
    const run = attnlab([
      ...args,
      '--vs',
      'flash-f32',
      '--rounds',
      '2',
      '--iterations',
      '6',
      '--out',
      out,
      '--vs-out',
      vsOut,
    ]);
    expect(run.stderr).not.toMatch(/attnlab:/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/baseline: webgpu\/flash-f32 +6 /);
    expect(run.stdout).toMatch(/candidate: webgpu\/ab_flash +6 /);
    expect(run.stdout).toMatch(/^verdict \(margin ±2%\) +(SAME|FASTER|SLOWER|INCONCLUSIVE)/m);
    const a = parseResultText(readFileSync(vsOut, 'utf8'), vsOut);
    const b = parseResultText(readFileSync(out, 'utf8'), out);
    expect(a.target.kernel).toBe('flash-f32');
    expect(a.target.userKernel).toBeUndefined();
    expect(b.target.kernel).toBe('ab_flash');
    expect(b.target.userKernel?.sha256).toBe(createHash('sha256').update(flashF32).digest('hex'));
    for (const r of [a, b]) {
      expect(r.samples.ms).toHaveLength(6);
      expect(r.derived?.ci[0]).toBeLessThanOrEqual(r.derived?.medianMs ?? 0);
      expect(r.timing.notes.some((n) => n.includes('(ABAB…): 2 rounds of 3/3 samples'))).toBe(true);
    }
    // A stop rule other than a count has no meaning split over rounds: refused, naming the flag.
    const ci = attnlab([...args, '--vs', 'flash-f32', '--target-ci', '1%']);
    expect(ci.code).toBe(2);
    expect(ci.stderr).toMatch(/--target-ci: not with --vs/);
    const rounds = attnlab([...args, '--vs', 'flash-f32', '--rounds', '1']);
    expect(rounds.code).toBe(2);
    expect(rounds.stderr).toMatch(/--rounds/);
    // An unknown baseline is refused in its first round with the engine's reason.
    const unknown = attnlab([...args, '--vs', 'nope', '--iterations', '4', '--rounds', '2']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(
      /webgpu\/nope in round 1 of 2: kernel: "nope" is not a WebGPU kernel/,
    );
  }, 120_000);
});
