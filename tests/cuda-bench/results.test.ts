/**
 * The CUDA benchmark (native-runner/cuda/bench, Python on the GPU host, no Node there) writes
 * attnlab/result@1 files the lab must be able to open. Here python3 builds such files from
 * seeded samples with the benchmark's own modules (bench_result.py, bench_stats.py), and the
 * TypeScript reader takes them back; the derived figures agree with src/stats.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readResult } from '../../src/model/index.ts';
import { bootstrapCI, createRng, median } from '../../src/stats/index.ts';

const BENCH = resolve(dirname(fileURLToPath(import.meta.url)), '../../native-runner/cuda/bench');
const dir = mkdtempSync(join(tmpdir(), 'attnlab-cuda-bench-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a Python snippet in the benchmark folder with `input` as JSON on stdin. */
function python(code: string, input: unknown): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    const child = spawn('python3', ['-c', code], { cwd: BENCH });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('close', (c) => {
      done({ code: c ?? -1, out });
    });
    child.stdin.end(JSON.stringify(input));
  });
}

const BUILD = `
import json, sys
from bench_result import config_dict, make_result, result_filename, write_atomic
a = json.load(sys.stdin)
cfg = config_dict(*a["cfg"])
res = make_result(run_id=a["id"], created_at="2026-11-23T12:00:00.000Z",
    tool={"name": "attnlab-bench-cuda", "version": "0.1.0"}, cfg=cfg, backend=a["backend"],
    kernel=a["kernel"], kernel_params={"blockRows": 128, "mma": "wgmma.m64n128k16"},
    env={"gpu": {"name": "test GPU", "computeCapability": "9.0"}}, samples_ms=a["samples"],
    throttled=[i % 7 == 0 for i in range(len(a["samples"]))] if a["samples"] else None,
    warmup=5, notes=["test"], clocks=[{"t": 0.0, "smClockMHz": 1980, "throttleReasons": []}],
    memory={"estimateBytes": 1e6, "peakBytes": None, "deviceTotalBytes": 8e10,
            "usageFraction": 1.25e-5, "oomRisk": False},
    correctness=a["correctness"], status=a["status"], error=a.get("error"))
path = a["dir"] + "/" + result_filename(a["backend"], a["kernel"], cfg)
write_atomic(path, res)
print(path)
`;

/** 120 seeded, right-skewed timings around 0.5 ms (what a GPU kernel's samples look like). */
function seededSamples(seed: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: 120 }, () => 0.5 * Math.exp(0.02 * rng.nextNormal()));
}

const PASSED = {
  reference: 'f64-torch-gpu',
  rowsChecked: 65536,
  rowsTotal: 262144,
  maxAbsErr: 1.2e-3,
  relL2Err: 2.9e-4,
  tolerance: 5e-3,
  passed: true,
};

describe('CUDA benchmark result files', () => {
  it('reads a completed run back, with src/stats medians and a matching bootstrap CI', async () => {
    const samples = seededSamples(7);
    const r = await python(BUILD, {
      dir,
      id: 'bench-cuda-test-1',
      cfg: [8, 16, 2048, 128, true, 'f16'],
      backend: 'cuda',
      kernel: 'flash-hopper-v2',
      samples,
      correctness: PASSED,
      status: 'completed',
    });
    expect(r.out).toContain('cuda-flash-hopper-v2__B8_H16_S2048_D128_f16_causal.json');
    expect(r.code).toBe(0);
    const file = r.out.trim();
    const result = readResult(JSON.parse(readFileSync(file, 'utf8')), file);
    expect(result.status).toBe('completed');
    expect(result.timing.method).toBe('cuda-event');
    expect(result.timing.cache).toBe('cold');
    expect(result.samples.ms).toEqual(samples);
    expect(result.samples.throttled?.filter(Boolean)).toHaveLength(18);
    expect(result.config).toEqual({
      batch: 8,
      heads: 16,
      seqLen: 2048,
      headDim: 128,
      causal: true,
      dtype: 'f16',
    });
    const derived = result.derived;
    if (derived === null) throw new Error('derived figures missing');
    const med = median(samples);
    expect(derived.medianMs).toBeCloseTo(med, 14);
    // Causal FLOPs are halved: 2·B·H·S²·D.
    expect(derived.tflops).toBeCloseTo((2 * 8 * 16 * 2048 ** 2 * 128) / (med * 1e-3) / 1e12, 9);
    expect(derived.gbps).toBeCloseTo((4 * 8 * 16 * 2048 * 128 * 2) / (med * 1e-3) / 1e9, 9);
    // Same method (percentile, 10,000 resamples), different generators: the ends agree to a
    // small fraction of the interval's width.
    const [lo, hi] = bootstrapCI(samples, { method: 'percentile', resamples: 10_000, seed: 3 });
    const width = hi - lo;
    expect(derived.ci[0]).toBeLessThan(med);
    expect(derived.ci[1]).toBeGreaterThan(med);
    expect(Math.abs(derived.ci[0] - lo)).toBeLessThan(0.25 * width);
    expect(Math.abs(derived.ci[1] - hi)).toBeLessThan(0.25 * width);
  });

  it('writes a failed check with status failed, no samples and NaN errors as null', async () => {
    const r = await python(BUILD, {
      dir,
      id: 'bench-cuda-test-2',
      cfg: [32, 8, 512, 64, false, 'bf16'],
      backend: 'cuda',
      kernel: 'flash-v9',
      samples: [],
      correctness: { ...PASSED, maxAbsErr: NaN, relL2Err: NaN, tolerance: 3e-2, passed: false },
      status: 'failed',
      error: { code: 'incorrect', message: '12 output elements still NaN' },
    });
    expect(r.code).toBe(0);
    const file = r.out.trim();
    // NaN is not JSON: the Python side must have turned it into null before writing.
    const text = readFileSync(file, 'utf8');
    expect(text).not.toMatch(/:\s*-?(NaN|Infinity)\b/);
    const result = readResult(JSON.parse(text), file);
    expect(result.status).toBe('failed');
    expect(result.samples.ms).toEqual([]);
    expect(result.derived).toBeNull();
    expect(result.correctness?.passed).toBe(false);
    expect(result.correctness?.relL2Err).toBeNull();
    expect(result.error).toEqual({ code: 'incorrect', message: '12 output elements still NaN' });
    // Written through a temp file and a rename: nothing else is left in the folder.
    expect(readdirSync(dir).filter((f) => f.startsWith('.tmp-'))).toEqual([]);
  });

  it('rejects bad input with the field and its allowed range', async () => {
    const code = `
from bench_result import config_dict, make_result
for call in (lambda: config_dict(0, 8, 512, 64, False, "f16"),
             lambda: config_dict(1, 8, 512, 60, False, "f16"),
             lambda: config_dict(1, 8, 512, 64, False, "f8"),
             lambda: make_result(run_id="x", created_at="", tool={}, cfg={}, backend="cuda",
                 kernel="k", kernel_params={}, env={}, samples_ms=[1.0], throttled=None,
                 warmup=0, notes=[], clocks=[], memory={}, correctness=None, status="done")):
    try:
        call()
        print("no error")
    except ValueError as e:
        print(e)
`;
    const r = await python(code, {});
    expect(r.code).toBe(0);
    expect(r.out.trim().split('\n')).toEqual([
      'batch: must be an integer in 1..4096 (got 0)',
      'headDim: must be a multiple of 8 in 8..256 (got 60)',
      "dtype: must be one of f32, f16, bf16 (got 'f8')",
      "status: must be completed, failed or cancelled (got 'done')",
    ]);
  });
});
