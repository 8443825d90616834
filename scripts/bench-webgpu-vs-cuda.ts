/**
 * `npm run bench:webgpu-vs-cuda [-- --sweep] [--decode] [--dtype f16] [--out DIR]`: in one process, the WGSL
 * kernels through Dawn (in-process engine, one device per tile point) and the CUDA/SDPA kernels
 * through the native runner's direct runners, on issue 17's prefill shapes, f32 and f16, or with
 * `--decode` on issue 14's decode shapes (f16, against SDPA cuDNN, GB/s and % of the measured
 * copy ceiling). Every run is checked
 * against the f64 reference before it is timed. Writes webgpu-vs-cuda.md (the table) and
 * webgpu-vs-cuda.json (every result file) into DIR (default $OUT, else results/).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { directRunner } from '../native-runner/src/direct.ts';
import { DawnBackend } from '../native-runner/src/backends/dawn.ts';
import type { AttentionEngine } from '../src/webgpu/engine.ts';
import { openNodeEngine } from '../src/webgpu/node/open.ts';
import type { DirectRunOptions, ResultFile } from '../src/model/index.ts';
import {
  DECODE_REFERENCE,
  DECODE_SHAPES,
  DECODE_TARGETS,
  REFERENCE,
  SHAPES,
  STOP,
  SWEEP,
  TARGETS,
  configOf,
  labelOf,
} from './bench/webgpu-vs-cuda-plan.ts';
import type { BenchTarget } from './bench/webgpu-vs-cuda-plan.ts';
import { markdownTable } from './bench/webgpu-vs-cuda-table.ts';
import type { BenchRow } from './bench/webgpu-vs-cuda-table.ts';

const args = process.argv.slice(2);
const sweep = args.includes('--sweep');
const decode = args.includes('--decode');
const outFlag = args.indexOf('--out');
const outDir = outFlag >= 0 ? (args[outFlag + 1] ?? 'results') : (process.env.OUT ?? 'results');
const only = args.includes('--only') ? (args[args.indexOf('--only') + 1] ?? '') : '';
/** `--dtype f16`: one dtype of the prefill bench (default both). */
const dtypeArg = args.includes('--dtype') ? (args[args.indexOf('--dtype') + 1] ?? '') : undefined;
if (dtypeArg !== undefined && dtypeArg !== 'f32' && dtypeArg !== 'f16') {
  process.stderr.write(`--dtype: f32 or f16 (got "${dtypeArg}")\n`);
  process.exit(2);
}
const dtypeFlag: 'f32' | 'f16' | undefined = dtypeArg;
mkdirSync(outDir, { recursive: true });

function log(text: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${text}\n`);
}

const engines = new Map<string, AttentionEngine>();
async function engineFor(t: BenchTarget): Promise<AttentionEngine> {
  const key = JSON.stringify(t.tiles ?? {});
  let engine = engines.get(key);
  if (!engine || engine.lost) {
    // A Dawn adapter gives one device: each tile point gets its own adapter.
    engine = await openNodeEngine(t.tiles ? { tiles: t.tiles } : {});
    engines.set(key, engine);
  }
  return engine;
}

async function runOne(t: BenchTarget, options: DirectRunOptions): Promise<ResultFile> {
  if (t.backend === 'dawn') return (await (await engineFor(t)).run(options)).result;
  return (await directRunner(t.backend)(options)).result;
}

function referenceOf(dtype: 'f32' | 'f16'): BenchTarget {
  return decode ? DECODE_REFERENCE : REFERENCE[dtype];
}

function targetsOf(dtype: 'f32' | 'f16'): BenchTarget[] {
  const list: BenchTarget[] = [];
  for (const t of decode ? DECODE_TARGETS : TARGETS[dtype]) {
    if (only !== '' && t !== referenceOf(dtype) && !t.kernel.includes(only)) continue;
    list.push(t);
    if (sweep && t.backend === 'dawn' && t.kernel.startsWith('flash-sgmat')) {
      for (const tiles of SWEEP) list.push({ ...t, tiles });
    }
  }
  return list;
}

const NAME = decode ? 'webgpu-vs-cuda-decode' : 'webgpu-vs-cuda';

/** The measured copy ceiling of the GPU (from a CUDA/SDPA result), for the decode table. */
function copyGbpsOf(list: readonly BenchRow[]): number | undefined {
  return list.find((r) => r.result?.env.gpu?.copyGbps)?.result?.env.gpu?.copyGbps;
}

function tableOf(list: readonly BenchRow[]): string {
  return decode ? markdownTable(list, copyGbpsOf(list) ?? 3000) : markdownTable(list);
}

const rows: BenchRow[] = [];
for (const shape of decode ? DECODE_SHAPES : SHAPES) {
  for (const dtype of decode
    ? (['f16'] as const)
    : dtypeFlag
      ? [dtypeFlag]
      : (['f32', 'f16'] as const)) {
    const config = configOf(shape, dtype);
    for (const t of targetsOf(dtype)) {
      const label = labelOf(t);
      const reference = t === referenceOf(dtype);
      log(`${label} ${JSON.stringify(config)}`);
      try {
        const result = await runOne(t, {
          config,
          kernel: t.kernel,
          stop: STOP,
          cache: 'cold',
          seed: 1,
          warmup: undefined,
        });
        const c = result.correctness;
        log(
          `  ${result.status} check ${c ? `${c.passed ? 'pass' : 'FAIL'} relL2 ${String(c.relL2Err)}` : '—'} ` +
            `median ${result.derived?.medianMs.toFixed(4) ?? '—'} ms, ${result.derived?.tflops.toFixed(1) ?? '—'} TFLOP/s ` +
            `${JSON.stringify(result.target.kernelParams)}${result.error ? ` error: ${result.error.message}` : ''}`,
        );
        rows.push({ config, label, result, reference });
      } catch (err) {
        const problem = (err as Error).message;
        log(`  refused: ${problem}`);
        rows.push({ config, label, result: null, problem, reference });
      }
      // The table so far, so a run cut short by a time limit still leaves its figures.
      await writeFileAtomic(join(outDir, `${NAME}.partial.md`), tableOf(rows) + '\n');
    }
  }
}
for (const engine of engines.values()) engine.destroy();

// The dawn backend of the runner (child process), once, to show it works on this host.
const backend = new DawnBackend();
const info = await backend.discover();
log(
  `dawn backend: available=${String(info.available)} ${info.device ?? ''} (${info.reason ?? ''})`,
);

const device = rows.find((r) => r.result?.env.gpu)?.result?.env.gpu?.name ?? 'unknown GPU';
const adapterName = rows.find((r) => r.result?.env.adapter)?.result?.env.adapter;
const table = tableOf(rows);
const copy = copyGbpsOf(rows);
const storage = adapterName?.limits.maxComputeWorkgroupStorageSize;
const flags = [
  sweep ? '--sweep' : '',
  decode ? '--decode' : '',
  dtypeFlag ? `--dtype ${dtypeFlag}` : '',
  only !== '' ? `--only ${only}` : '',
]
  .filter((x) => x !== '')
  .join(' ');
const md =
  `### WebGPU (Dawn) vs CUDA/SDPA${decode ? ', decode' : ''} — one run\n\n` +
  `- command: \`npm run bench:webgpu-vs-cuda${flags ? ` -- ${flags}` : ''}\` (${new Date().toISOString()})\n` +
  `- device: ${device}; Dawn adapter: ${adapterName ? `${adapterName.description} (${adapterName.runtime ?? ''})` : 'none'}; ` +
  `Dawn maxComputeWorkgroupStorageSize ${storage === undefined ? 'unknown' : String(storage)} bytes\n` +
  (decode
    ? `- copy ceiling: ${copy ? `${copy.toFixed(0)} GB/s measured (device-to-device copy, bytes read + written)` : 'not measured; 3000 GB/s assumed'}\n`
    : '') +
  `- dawn backend (runner, child process): ${info.available ? 'available' : `absent: ${info.reason ?? ''}`}\n` +
  `- every run: check vs f64 reference first, then ±1% CI stop rule (≤ 300 samples, ≤ 3 s), cold cache; ` +
  `ratio = median(SDPA ref) / median(kernel), bootstrap 95% CI (src/stats compare)\n\n` +
  table +
  '\n';
process.stdout.write(md);
await writeFileAtomic(join(outDir, `${NAME}.md`), md);
await writeFileAtomic(
  join(outDir, `${NAME}.json`),
  JSON.stringify(rows.map((r) => ({ label: r.label, problem: r.problem, result: r.result }))),
);
process.exit(0);
