/**
 * Discovery: each backend says whether it can run here and why not. The GPU and Python probes
 * run against scripted stand-ins for nvidia-smi, nvcc and python (put first on PATH or named by
 * ATTNLAB_PYTHON), so every branch is exercised on any machine; request validation and the CPU
 * backend's real fingerprint are checked too.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { backendInfoSchema, envSchema, validateConfig } from '../../../src/model/index.ts';
import { RunnerError } from '../backend.ts';
import type { JobRequest } from '../backend.ts';
import { createBackends } from '../registry.ts';
import { CpuBackend } from './cpu.ts';
import { CudaBackend, archOf, parseSmi } from './cuda.ts';
import { SdpaBackend } from './sdpa.ts';

const root = mkdtempSync(join(tmpdir(), 'attnlab-discover-'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});
const savedPath = process.env.PATH;
const savedPython = process.env.ATTNLAB_PYTHON;

/** A folder holding executable shell scripts `name` that print `output` (and exit `code`). */
function toolDir(name: string, tools: Record<string, { output: string; code?: number }>): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [tool, { output, code = 0 }] of Object.entries(tools)) {
    const path = join(dir, tool);
    // printf is a shell builtin: the script works with nothing else on PATH.
    const quoted = `'${output.replace(/'/g, `'\\''`)}'`;
    writeFileSync(path, `#!/bin/sh\nprintf '%s\\n' ${quoted}\nexit ${code}\n`);
    chmodSync(path, 0o755);
  }
  return dir;
}

afterEach(() => {
  process.env.PATH = savedPath;
  if (savedPython === undefined) delete process.env.ATTNLAB_PYTHON;
  else process.env.ATTNLAB_PYTHON = savedPython;
});

const H100 = 'NVIDIA H100 80GB HBM3, 9.0, 81559, 580.65.06';

describe('cuda discovery', () => {
  it('finds a GPU through nvidia-smi and nvcc', async () => {
    const tools = toolDir('gpu', { 'nvidia-smi': { output: H100 }, nvcc: { output: '' } });
    process.env.PATH = `${tools}${delimiter}${savedPath ?? ''}`;
    const info = backendInfoSchema.parse(await new CudaBackend().discover());
    expect(info.available).toBe(true);
    expect(info.device).toBe('NVIDIA H100 80GB HBM3 (cc 9.0, 81559 MiB)');
    // The static list, or a built harness's own list (which may hold more flash_*.cu versions).
    expect(info.kernels.map((k) => k.id)).toEqual(
      expect.arrayContaining(['flash-v1', 'naive-f32']),
    );
    expect(info.kernels.find((k) => k.id === 'flash-v1')).toMatchObject({
      dtypes: ['f16', 'bf16'],
      headDims: [32, 64, 128],
      causal: true,
    });
  });

  it('is absent without a GPU, saying so', async () => {
    process.env.PATH = toolDir('nogpu', { nvcc: { output: '' } });
    const info = await new CudaBackend().discover();
    expect(info.available).toBe(false);
    expect(info.reason).toBe('no NVIDIA GPU found (nvidia-smi not found)');
    expect(info.kernels.every((k) => !k.available)).toBe(true);
  });

  it('is absent when the driver does not answer', async () => {
    process.env.PATH = toolDir('nodriver', {
      'nvidia-smi': {
        output: "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver",
        code: 9,
      },
    });
    const info = await new CudaBackend().discover();
    expect(info.reason).toBe('no NVIDIA GPU found (nvidia-smi failed (exit 9))');
  });

  it('is absent on a pre-Ampere GPU', async () => {
    process.env.PATH = toolDir('turing', {
      'nvidia-smi': { output: 'Tesla T4, 7.5, 15360, 535.1' },
      nvcc: { output: '' },
    });
    const info = await new CudaBackend().discover();
    expect(info.available).toBe(false);
    expect(info.reason).toBe('Tesla T4 is compute capability 7.5; the kernels need 8.0+');
  });

  it('parses nvidia-smi and names the arch', () => {
    expect(parseSmi(`${H100}\n`)).toEqual({
      name: 'NVIDIA H100 80GB HBM3',
      computeCapability: '9.0',
      memoryMiB: 81559,
      driver: '580.65.06',
    });
    expect(parseSmi('No devices were found')).toBeNull();
    expect(archOf('8.9')).toBe('89');
    expect(archOf('12.0')).toBe('120');
  });
});

describe('sdpa discovery', () => {
  const fakePython = (name: string, json: string): string =>
    join(toolDir(name, { python: { output: json } }), 'python');

  it('is absent without torch', async () => {
    process.env.ATTNLAB_PYTHON = fakePython(
      'py-notorch',
      '{"torch": null, "error": "ModuleNotFoundError: No module named \'torch\'"}',
    );
    const info = await new SdpaBackend().discover();
    expect(info.available).toBe(false);
    expect(info.reason).toMatch(
      /^PyTorch is not installed for .*python \(ModuleNotFoundError: No module named 'torch'\)$/,
    );
  });

  it('is absent with a CPU-only torch', async () => {
    process.env.ATTNLAB_PYTHON = fakePython(
      'py-cpu',
      '{"torch": "2.11.0+cpu", "cuda": false, "device": null}',
    );
    const info = await new SdpaBackend().discover();
    expect(info.reason).toBe(
      'torch 2.11.0+cpu found but CUDA is not available (no GPU, or a CPU-only build)',
    );
  });

  it('is present with torch and CUDA, offering the four SDPA backends', async () => {
    process.env.ATTNLAB_PYTHON = fakePython(
      'py-cuda',
      '{"torch": "2.11.0", "cuda": true, "device": "NVIDIA H100 80GB HBM3"}',
    );
    const info = backendInfoSchema.parse(await new SdpaBackend().discover());
    expect(info).toMatchObject({
      available: true,
      reason: 'torch 2.11.0',
      device: 'NVIDIA H100 80GB HBM3',
    });
    expect(info.kernels.map((k) => k.id)).toEqual(['flash', 'cudnn', 'efficient', 'math']);
  });

  it('is absent without python, saying how to point at one', async () => {
    process.env.ATTNLAB_PYTHON = join(root, 'no-such-python');
    const info = await new SdpaBackend().discover();
    expect(info.reason).toBe(
      `${join(root, 'no-such-python')} not found (set ATTNLAB_PYTHON to a Python with torch)`,
    );
  });
});

describe('cpu backend and the registry', () => {
  it('lists the GPU backends first and cpu last; the cpu discovery is schema-valid', async () => {
    const ids = createBackends().map((b) => b.id);
    expect(ids.slice(0, 2)).toEqual(['cuda', 'sdpa']);
    expect(ids.at(-1)).toBe('cpu');
    const cpu = backendInfoSchema.parse(await new CpuBackend().discover());
    expect(cpu.available).toBe(true);
    expect(cpu.device).toMatch(/\(\d+ threads\)$/);
    expect(cpu.kernels.map((k) => k.id)).toEqual(['cpu-flash-f32', 'cpu-naive-f32']);
  });

  it('fingerprints the CPU harness: host, compiler and flags', async () => {
    const env = envSchema.parse(await new CpuBackend().env());
    expect(env.compiler).toMatchObject({
      name: 'g++',
      flags: '-O3 -march=native -fopenmp -std=c++17',
    });
    expect(env.host?.cpus).toBeGreaterThan(0);
    expect(env.host?.node).toBe(process.version);
  });

  const request = (kernel: string, config: object): JobRequest => ({
    id: 'v',
    kernel,
    config: validateConfig({
      batch: 1,
      heads: 1,
      seqLen: 8,
      headDim: 64,
      causal: false,
      dtype: 'f32',
      ...config,
    }),
    stop: { kind: 'count', iterations: 1 },
    cache: 'cold',
    seed: 1,
  });
  const refusal = (fn: () => unknown): RunnerError => {
    try {
      fn();
    } catch (err) {
      if (err instanceof RunnerError) return err;
      throw err;
    }
    throw new Error('expected a RunnerError');
  };

  it('refuses unknown kernels and unsupported configs before launching anything', () => {
    const cpu = new CpuBackend();
    expect(refusal(() => cpu.validate(request('flash-v1', {})))).toMatchObject({
      code: 'unknown-kernel',
      message: 'kernel: "flash-v1" is not a cpu kernel (choose cpu-flash-f32, cpu-naive-f32)',
    });
    expect(refusal(() => cpu.validate(request('cpu-flash-f32', { dtype: 'bf16' })))).toMatchObject({
      code: 'unsupported',
      message: 'config.dtype: cpu/cpu-flash-f32 supports f32 (got bf16)',
    });
    const cuda = new CudaBackend();
    expect(
      refusal(() => cuda.validate(request('flash-v1', { dtype: 'f16', headDim: 96 }))),
    ).toMatchObject({
      code: 'unsupported',
      message: 'config.headDim: cuda/flash-v1 supports 32, 64, 128 (got 96)',
    });
    expect(cuda.validate(request('naive-f32', { headDim: 96 })).id).toBe('naive-f32');
  });
});
