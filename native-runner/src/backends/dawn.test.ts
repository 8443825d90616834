/**
 * The `dawn` backend end to end on this machine's Dawn adapter (SwiftShader without a GPU): the
 * harness is a real child process; its output must match the f64 reference of src/reference
 * on fresh seeded inputs, and refusals come back as result files that say why.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readResult } from '../../../src/model/index.ts';
import type { AttentionConfig, Correctness, ResultFile } from '../../../src/model/index.ts';
import { referenceAttention } from '../../../src/reference/attention.ts';
import { randomInputs } from '../../../src/reference/inputs.ts';
import type { NativeJobRequest } from './native.ts';
import { DawnBackend, findVulkanLoader, vulkanLoaderDirs } from './dawn.ts';

const CONFIG: AttentionConfig = {
  batch: 1,
  heads: 2,
  seqLen: 37,
  headDim: 32,
  causal: true,
  dtype: 'f32',
};

function start(
  backend: DawnBackend,
  request: Partial<NativeJobRequest>,
): { done: Promise<ResultFile>; samples: number[]; checks: Correctness[] } {
  const samples: number[] = [];
  const checks: Correctness[] = [];
  const handle = backend.start(
    {
      id: 't',
      config: CONFIG,
      kernel: 'flash-f32',
      stop: { kind: 'count', iterations: 4 },
      cache: 'warm',
      seed: 5,
      ...request,
    },
    {
      onSamples: (ms) => samples.push(...ms),
      onCheck: (c) => checks.push(c),
      onMemory: () => undefined,
      onClock: () => undefined,
      onProgress: () => undefined,
    },
  );
  return { done: handle.done, samples, checks };
}

describe('dawn backend', () => {
  const backend = new DawnBackend();

  it('discovers the adapter and lists every WGSL kernel with its availability', async () => {
    const info = await backend.discover();
    expect(info.available).toBe(true);
    const ids = info.kernels.map((k) => k.id);
    expect(ids).toEqual(
      expect.arrayContaining(['flash-f32', 'flash-sgmat-f16', 'flash-sgmat-f32x3']),
    );
    const sgmat = info.kernels.find((k) => k.id === 'flash-sgmat-f16');
    // SwiftShader has no subgroup matrices; a GPU that has them lists the kernel as available.
    if (sgmat && !sgmat.available) expect(sgmat.reason).toMatch(/subgroup-matrix|shader-f16/);
    const env = await backend.env();
    expect(env.adapter?.runtime).toMatch(/^node-dawn /);
  }, 120_000);

  it('runs a job in a child process: checked against f64, samples streamed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attnlab-dawn-test-'));
    const outputPath = join(dir, 'o.f32');
    const job = start(backend, { outputPath });
    const result = readResult(JSON.parse(JSON.stringify(await job.done)));
    expect(result.status).toBe('completed');
    expect(result.target).toMatchObject({ backend: 'dawn', kernel: 'flash-f32' });
    expect(result.target.kernelParams).toHaveProperty('Bc');
    expect(result.correctness?.passed).toBe(true);
    expect(job.checks).toHaveLength(1);
    expect(job.samples.length).toBeGreaterThanOrEqual(4);
    expect(result.samples.ms).toEqual(job.samples);
    expect(result.timing.method).toBe('timestamp-query');
    // An independent check of the output the harness wrote: the same seeded inputs, f64.
    const bytes = readFileSync(outputPath);
    rmSync(dir, { recursive: true, force: true });
    const out = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    const ref = referenceAttention(CONFIG, randomInputs(CONFIG, 5));
    expect(out.length).toBe(ref.length);
    let worst = 0;
    for (let i = 0; i < ref.length; i++)
      worst = Math.max(worst, Math.abs((out[i] ?? NaN) - (ref[i] ?? 0)));
    expect(worst).toBeLessThan(1e-5);
    expect(worst).not.toBeNaN();
  }, 120_000);

  it('runs a user WGSL kernel (a copy of flash-f32) and records its source and SHA-256', async () => {
    const source = readFileSync(
      new URL('../../../shaders/flash-f32/flash_f32.wgsl', import.meta.url),
      'utf8',
    );
    const job = start(backend, {
      kernel: 'mine',
      userKernel: { language: 'wgsl', source, like: 'flash-f32', name: 'mine' },
    });
    const result = readResult(JSON.parse(JSON.stringify(await job.done)));
    expect(result.status).toBe('completed');
    expect(result.correctness?.passed).toBe(true);
    expect(result.target).toMatchObject({ backend: 'dawn', kernel: 'mine' });
    expect(result.target.kernelParams).toHaveProperty('Bc');
    expect(result.target.userKernel).toEqual({
      language: 'wgsl',
      source,
      like: 'flash-f32',
      sha256: createHash('sha256').update(source).digest('hex'),
    });
    const broken = start(backend, {
      kernel: 'bad',
      userKernel: {
        language: 'wgsl',
        source: source.replace('l *= alpha;', 'l *= alpah;'),
        like: 'flash-f32',
        name: 'bad',
      },
    });
    const failed = await broken.done;
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('compile-error');
    expect(failed.error?.message).toMatch(/bad\.wgsl:\d+:\d+: .*alpah/);
  }, 120_000);

  it('refuses a kernel it does not have, naming the choices', () => {
    expect(() => start(backend, { kernel: 'flash-v1' })).toThrow(/"flash-v1" is not a dawn kernel/);
  });

  it('reports an adapter refusal as a failed result with the reason', async () => {
    const job = start(backend, {
      kernel: 'flash-sgmat-f16',
      config: { ...CONFIG, dtype: 'f16', headDim: 64 },
    });
    const result = await job.done;
    const info = await backend.discover();
    if (info.kernels.find((k) => k.id === 'flash-sgmat-f16')?.available === true) {
      expect(result.status).toBe('completed');
      expect(result.correctness?.passed).toBe(true);
    } else {
      expect(result.status).toBe('failed');
      expect(result.error?.code).toBe('unsupported');
      expect(result.error?.message).toMatch(/flash-sgmat-f16 needs/);
      expect(job.samples).toEqual([]);
    }
  }, 120_000);

  it('finds the Vulkan loader through LD_LIBRARY_PATH first', () => {
    expect(vulkanLoaderDirs({ LD_LIBRARY_PATH: '/opt/x:/opt/y' }).slice(0, 2)).toEqual([
      '/opt/x',
      '/opt/y',
    ]);
    expect(findVulkanLoader({ LD_LIBRARY_PATH: '/nonexistent' })).toMatch(/libvulkan\.so\.1$/);
  });
});
