/**
 * `attnlab run --backend webgpu` end to end, as a user runs it: a real process, a result file
 * written atomically, --inputs/--save-output through .npy files, and clear errors.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseResultText } from '../../model/index.ts';
import type { AttentionConfig } from '../../model/index.ts';
import { referenceAttention } from '../../reference/attention.ts';
import { fromHalfArray, toHalfArray } from '../../reference/half.ts';
import { randomTensor } from '../../reference/inputs.ts';
import { readNpy, writeNpy } from '../../reference/npy.ts';

const dir = mkdtempSync(join(tmpdir(), 'attnlab-cli-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function attnlab(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync(
    process.execPath,
    ['bin/attnlab.js', 'run', '--backend', 'webgpu', ...args],
    {
      cwd: new URL('../../../', import.meta.url),
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** An f16 .npy written by hand (writeNpy writes f32 only), as numpy.save does. */
function halfNpy(bits: Uint16Array, shape: number[]): Uint8Array {
  const f32 = writeNpy(new Float32Array(bits.length), shape);
  const headerLen = new DataView(f32.buffer).getUint16(8, true);
  const header = new TextDecoder()
    .decode(f32.subarray(10, 10 + headerLen))
    .replace("'<f4'", "'<f2'");
  const out = new Uint8Array(10 + headerLen + bits.byteLength);
  out.set(f32.subarray(0, 10));
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(bits.buffer), 10 + headerLen);
  return out;
}

describe('attnlab run --backend webgpu', () => {
  it('checks, times and writes a valid result file', () => {
    const out = join(dir, 'r.json');
    const run = attnlab([
      '--kernel',
      'flash-f32',
      '--batch',
      '1',
      '--heads',
      '2',
      '--seq',
      '77',
      '--dim',
      '64',
      '--iterations',
      '20',
      '--out',
      out,
    ]);
    expect(run.stderr).not.toMatch(/attnlab:/);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('dawn / flash-f32 — B=1 H=2 S=77 D=64 f32');
    expect(run.stdout).toMatch(/correctness\s+passed vs f64-cpu \(154\/154 rows/);
    const result = parseResultText(readFileSync(out, 'utf8'), out);
    expect(result.status).toBe('completed');
    expect(result.samples.ms).toHaveLength(20);
    expect(result.target.backend).toBe('dawn');
    expect(result.timing.method).toBe('timestamp-query');
    expect(result.env.adapter?.description).not.toBe('');
  }, 120_000);

  it('runs the split-KV decode kernel on grouped-query heads against a longer K/V cache', () => {
    const out = join(dir, 'decode.json');
    const run = attnlab(
      '-k flash-decode-f16 --dtype f16 -b 2 -H 8 --kv-heads 2 -s 1 --kv-seq 300 -d 64 --causal --iterations 5 --out'
        .split(' ')
        .concat(out),
    );
    expect(run.stderr).not.toMatch(/attnlab:/);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('dawn / flash-decode-f16 — B=2 H=8 Hkv=2 S=1 Skv=300 D=64 f16');
    expect(run.stdout).toMatch(/correctness\s+passed vs f64-cpu \(16\/16 rows/);
    const result = parseResultText(readFileSync(out, 'utf8'), out);
    expect(result.status).toBe('completed');
    expect(result.config).toMatchObject({ kvHeads: 2, kvSeqLen: 300 });
    expect(result.target.kernelParams).toMatchObject({ keysPerChunk: 128, rowsPerWorkgroup: 8 });
  }, 120_000);

  it('takes the config from f16 q/k/v .npy files and saves the output as f32 .npy', () => {
    const config: AttentionConfig = {
      batch: 1,
      heads: 2,
      seqLen: 21,
      headDim: 32,
      causal: true,
      dtype: 'f16',
    };
    const shape = [1, 2, 21, 32];
    const n = 1 * 2 * 21 * 32;
    const inputs = {
      q: toHalfArray(randomTensor(n, 77, 1)),
      k: toHalfArray(randomTensor(n, 77, 2)),
      v: toHalfArray(randomTensor(n, 77, 3)),
    };
    const inDir = join(dir, 'in16');
    rmSync(inDir, { recursive: true, force: true });
    mkdirSync(inDir, { recursive: true });
    for (const [name, bits] of Object.entries(inputs))
      writeFileSync(join(inDir, `${name}.npy`), halfNpy(bits, shape));
    const saved = join(dir, 'o.npy');
    const run = attnlab([
      '--kernel',
      'flash-f16',
      '--causal',
      '--inputs',
      inDir,
      '--save-output',
      saved,
      '--iterations',
      '3',
    ]);
    expect(run.stderr).not.toMatch(/attnlab:/);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('B=1 H=2 S=21 D=32 f16 causal');
    const o = readNpy(readFileSync(saved), 'o.npy');
    expect(o.dtype).toBe('f32');
    expect(o.shape).toEqual(shape);
    const ref = referenceAttention(config, {
      q: fromHalfArray(inputs.q),
      k: fromHalfArray(inputs.k),
      v: fromHalfArray(inputs.v),
    });
    let err = 0;
    let norm = 0;
    ref.forEach((want, i) => {
      err += ((o.data[i] ?? Number.NaN) - want) ** 2;
      norm += want ** 2;
    });
    expect(Math.sqrt(err / norm)).toBeLessThan(5e-3);
  }, 120_000);

  it('refuses a truncated .npy and a kernel/dtype mismatch with clear errors', () => {
    const bad = join(dir, 'bad');
    mkdirSync(bad, { recursive: true });
    const q = writeNpy(randomTensor(2 * 8 * 8, 1, 1), [1, 2, 8, 8]);
    writeFileSync(join(bad, 'q.npy'), q);
    writeFileSync(join(bad, 'k.npy'), q);
    writeFileSync(join(bad, 'v.npy'), q.subarray(0, q.length - 10));
    const truncated = attnlab(['--inputs', bad, '--iterations', '2']);
    expect(truncated.code).not.toBe(0);
    expect(truncated.stderr).toContain(
      'v.npy: truncated data: shape (1, 2, 8, 8) needs 512 bytes, file has 502',
    );
    const mismatch = attnlab([
      '--kernel',
      'flash-f32',
      '--dtype',
      'f16',
      '--seq',
      '8',
      '--iterations',
      '2',
    ]);
    expect(mismatch.code).not.toBe(0);
    expect(mismatch.stderr).toMatch(
      /kernel: flash-f32 computes in f32 but the config's dtype is f16; kernels for f16: flash-f16\b/,
    );
  }, 120_000);
});
