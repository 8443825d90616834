/**
 * The SDPA harness without torch: it compiles, parses and range-checks its flags with harness
 * `error` lines, reports a missing torch as `unsupported` through the driver, and draws the same
 * seeded inputs as the C++ harnesses (including the int64 path torch takes on the GPU).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseHarnessLine, validateConfig } from '../../../src/model/index.ts';
import { runHarness } from '../driver.ts';
import { nativeInputValue, nativeInputs } from './seeded-inputs.ts';
import { SDPA_SCRIPT } from './sdpa.ts';

const dir = mkdtempSync(join(tmpdir(), 'attnlab-sdpa-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
// A `torch` package that fails to import, first on PYTHONPATH: "no torch" whatever is installed.
mkdirSync(join(dir, 'notorch', 'torch'), { recursive: true });
writeFileSync(
  join(dir, 'notorch', 'torch', '__init__.py'),
  'raise ImportError("simulated: torch absent")\n',
);
const NO_TORCH_ENV = { ...process.env, PYTHONPATH: join(dir, 'notorch') };

function python(
  args: string[],
  env = NO_TORCH_ENV,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('python3', args, { env, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function onlyLine(stdout: string) {
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  expect(lines).toHaveLength(1);
  const parsed = parseHarnessLine(lines[0] ?? '');
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.line;
}

describe('sdpa harness (no torch needed)', () => {
  it('compiles', async () => {
    const common = join(dirname(SDPA_SCRIPT), 'harness_common.py');
    const r = await python(['-m', 'py_compile', SDPA_SCRIPT, common]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  const BAD: [string[], string, RegExp][] = [
    [
      ['--kernel', 'flash', '--batch', '0'],
      'bad-config',
      /^--batch: must be an integer in 1\.\.4096 \(got "0"\)$/,
    ],
    [
      ['--kernel', 'flash', '--dim', '12'],
      'bad-config',
      /^--dim: must be a multiple of 8 in 8\.\.256/,
    ],
    [
      ['--kernel', 'flash', '--dtype', 'f64'],
      'bad-config',
      /^--dtype: must be one of f32, f16, bf16/,
    ],
    [['--kernel', 'flash', '--seq', 'x'], 'bad-config', /^--seq: must be an integer in 1\.\.65536/],
    [['--kernel', 'flash', '--bogus'], 'bad-config', /unrecognized arguments: --bogus/],
    [
      ['--kernel', 'flash', '--heads', '8', '--kv-heads', '3'],
      'bad-config',
      /^--kv-heads: must divide --heads 8 \(got 3\)$/,
    ],
    [
      ['--kernel', 'flash', '--kv-seq', '2000000'],
      'bad-config',
      /^--kv-seq: must be an integer in 1\.\.1048576 \(got "2000000"\)$/,
    ],
    [
      ['--kernel', 'flashy'],
      'unknown-kernel',
      /unknown SDPA kernel "flashy" \(choose flash, cudnn, efficient, math\)/,
    ],
  ];
  for (const [args, code, message] of BAD) {
    it(`answers ${args.slice(2).join(' ') || args.join(' ')} with an error line (${code})`, async () => {
      const r = await python([SDPA_SCRIPT, ...args]);
      expect(r.code).toBe(2);
      const line = onlyLine(r.stdout);
      expect(line.type).toBe('error');
      if (line.type !== 'error') return;
      expect(line.code).toBe(code);
      expect(line.message).toMatch(message);
    });
  }

  it('reports a missing torch as unsupported', async () => {
    const r = await python([
      SDPA_SCRIPT,
      '--kernel',
      'flash',
      '--dtype',
      'f16',
      '--iterations',
      '3',
    ]);
    expect(r.code).toBe(1);
    const line = onlyLine(r.stdout);
    expect(line).toMatchObject({ type: 'error', code: 'unsupported' });
    if (line.type === 'error')
      expect(line.message).toMatch(/PyTorch .* not available: simulated: torch absent/);
  });

  it('the driver turns that into a failed result, with the reason', async () => {
    const config = validateConfig({
      batch: 1,
      heads: 1,
      seqLen: 16,
      headDim: 64,
      causal: true,
      dtype: 'f16',
    });
    const noop = (): void => undefined;
    const saved = process.env.PYTHONPATH;
    process.env.PYTHONPATH = join(dir, 'notorch');
    try {
      const result = await runHarness(
        {
          backend: 'sdpa',
          request: {
            id: 's',
            config,
            kernel: 'flash',
            stop: { kind: 'count', iterations: 3 },
            cache: 'cold',
            seed: 1,
          },
          resolve: () => Promise.resolve({ command: 'python3', args: [SDPA_SCRIPT] }),
          timingMethod: 'cuda-event',
          memoryModel: 'sdpa',
        },
        { onSamples: noop, onCheck: noop, onMemory: noop, onClock: noop, onProgress: noop },
      ).done;
      expect(result.status).toBe('failed');
      expect(result.error?.code).toBe('unsupported');
      expect(result.timing.method).toBe('cuda-event');
    } finally {
      if (saved === undefined) delete process.env.PYTHONPATH;
      else process.env.PYTHONPATH = saved;
    }
  });

  it("--dump-inputs writes the C++ harnesses' seeded inputs", async () => {
    const config = validateConfig({
      batch: 2,
      heads: 1,
      seqLen: 5,
      headDim: 8,
      causal: false,
      dtype: 'f32',
    });
    const out = join(dir, 'qkv.f32');
    const r = await python([
      SDPA_SCRIPT,
      '--dump-inputs',
      out,
      '--batch',
      '2',
      '--heads',
      '1',
      '--seq',
      '5',
      '--dim',
      '8',
      '--seed',
      '77',
    ]);
    expect(r.code).toBe(0);
    const bytes = readFileSync(out);
    const got = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    const want = nativeInputs(config, 77);
    expect(Array.from(got)).toEqual([...want.q, ...want.k, ...want.v]);
  });

  it('--dump-inputs draws K and V of the K/V shape ([B, Hkv, Skv, D]) by flat index', async () => {
    const out = join(dir, 'qkv-gqa.f32');
    const shape = ['--batch', '1', '--heads', '4', '--kv-heads', '2', '--seq', '3'];
    const r = await python([
      SDPA_SCRIPT,
      '--dump-inputs',
      out,
      ...shape,
      '--kv-seq',
      '5',
      '--dim',
      '8',
      '--seed',
      '9',
    ]);
    expect(r.code).toBe(0);
    const bytes = readFileSync(out);
    const got = Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4));
    const nq = 4 * 3 * 8;
    const nkv = 2 * 5 * 8;
    const draw = (t: number, n: number) =>
      Array.from({ length: n }, (_, i) => nativeInputValue(9, t, i));
    expect(got).toEqual([...draw(0, nq), ...draw(1, nkv), ...draw(2, nkv)]);
  });

  it('GQA/decode logic (flags, mask and enable_gqa choice, f64 rows vs a brute force) passes', async () => {
    const test = join(dirname(SDPA_SCRIPT), 'test_kv_shapes.py');
    const r = await python([test]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^ok test_mask_and_gqa_plan$/m);
    expect(r.stdout).toMatch(
      /^ok test_empty_rows_are_the_rows_before_the_first_key_with_lower_right_causal$/m,
    );
    expect(r.stdout.trim().split('\n').pop()).toBe('6 passed');
    expect(r.code).toBe(0);
  }, 120_000);

  it('--callable loader (no torch): loads pkg.module:fn, import errors name file and line', async () => {
    const r = await python([join(dirname(SDPA_SCRIPT), 'test_user_callable.py')]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^ok test_syntax_error_names_the_line$/m);
    expect(r.stdout.trim().split('\n').pop()).toBe('3 passed');
    expect(r.code).toBe(0);
  }, 120_000);

  it('the int64 (torch) path of the generator gives the same bits as uint64', async () => {
    const code = [
      'import sys, numpy as np',
      `sys.path.insert(0, ${JSON.stringify(dirname(SDPA_SCRIPT))})`,
      'import harness_common as hc',
      'idx = np.arange(4096)',
      'key = hc.splitmix64(123 * 3 + 2)',
      'with np.errstate(over="ignore"):',
      '    u = hc.hash_array(idx.astype(np.uint64), key, np.uint64)',
      '    s = hc.hash_array(idx.astype(np.int64), key, lambda c: np.int64(hc.signed_const(c)))',
      // harness_common sends print() to stderr; the original stdout is sys.__stdout__.
      'sys.__stdout__.write(f"{int((u.view(np.int64) == s).all())} {int(len(set(u.tolist())) == 4096)}")',
    ].join('\n');
    const r = await python(['-c', code]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('1 1');
  });

  it('--list names the four SDPA backends', async () => {
    const r = await python([SDPA_SCRIPT, '--list']);
    expect(r.stdout.trim().split('\n')).toEqual(['flash', 'cudnn', 'efficient', 'math']);
  });
});
