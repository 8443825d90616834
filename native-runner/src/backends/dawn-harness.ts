/**
 * The Dawn harness: the WebGPU engine (the code path of `attnlab run --backend dawn`) in its own
 * Node process, speaking harness lines on stdout, so the runner can kill a hung GPU. Flags are
 * those of `harnessArgs` (driver.ts); `--info` prints the hello line and the kernel list only.
 * Run it alone: `node --import tsx native-runner/src/backends/dawn-harness.ts --info`.
 */
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { basename, extname } from 'node:path';
import { writeFileChecked } from '../server/checked-write.ts';
import { HARNESS_SCHEMA, tensorElements, validateConfig } from '../../../src/model/index.ts';
import type {
  AttentionConfig,
  HarnessLineInput,
  InputTensors,
  StopRule,
  UserKernelSpec,
} from '../../../src/model/index.ts';
import { errorCodeOf, errorMessageOf } from '../../../src/webgpu/errors.ts';
import { openDawnEngine } from '../../../src/webgpu/node/direct.ts';
import { checkKernel, resolveKernel } from '../../../src/webgpu/registry.ts';
import { prepareUserKernel } from '../../../src/webgpu/user-kernel.ts';
import { loadNodeShaderSources } from '../../../shaders/sources.node.ts';
import { planKernel } from '../../../src/webgpu/tiles.ts';
import { KERNELS_LOG_PREFIX } from './dawn.ts';
import { exitWithParent } from './parent-watch.ts';

function emit(line: HarnessLineInput): void {
  process.stdout.write(JSON.stringify(line) + '\n');
}

/** Flags after parsing: name → value (`true` for bare flags). */
export type HarnessFlags = Map<string, string | true>;

/** Parses `--name value` / `--flag` pairs; an unknown shape is an error naming the flag. */
export function parseFlags(argv: readonly string[]): HarnessFlags {
  const bare = new Set(['--info', '--warm']);
  const flags: HarnessFlags = new Map();
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i] ?? '';
    if (!name.startsWith('--')) throw new Error(`unexpected argument "${name}"`);
    if (bare.has(name)) {
      flags.set(name.slice(2), true);
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${name}: missing value`);
    flags.set(name.slice(2), value);
    i++;
  }
  return flags;
}

function num(flags: HarnessFlags, name: string, fallback?: number): number {
  const raw = flags.get(name);
  if (raw === undefined || raw === true) {
    if (fallback !== undefined) return fallback;
    throw new Error(`--${name}: required`);
  }
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`--${name}: not a number ("${raw}")`);
  return n;
}

/** The config a harness command line describes. */
export function configOf(flags: HarnessFlags): AttentionConfig {
  const scale = flags.get('scale');
  return validateConfig({
    batch: num(flags, 'batch'),
    heads: num(flags, 'heads'),
    seqLen: num(flags, 'seq'),
    headDim: num(flags, 'dim'),
    causal: num(flags, 'causal', 0) === 1,
    dtype: String(flags.get('dtype') ?? 'f32') as AttentionConfig['dtype'],
    ...(typeof scale === 'string' ? { scale: Number(scale) } : {}),
  });
}

/**
 * The engine's stop rule: `--iterations` is a count; otherwise a time budget (`--max-ms`), with
 * `--max-samples` and a `stop` line on stdin (the driver's CI rule) ending it early.
 */
export function stopOf(flags: HarnessFlags): { rule: StopRule; maxSamples: number | null } {
  if (flags.has('iterations')) {
    return { rule: { kind: 'count', iterations: num(flags, 'iterations') }, maxSamples: null };
  }
  const maxSamples = flags.has('max-samples') ? num(flags, 'max-samples') : null;
  return { rule: { kind: 'time', budgetMs: num(flags, 'max-ms', 60_000) }, maxSamples };
}

async function readInputs(path: string, n: number): Promise<InputTensors> {
  const bytes = await readFile(path);
  if (bytes.byteLength !== 3 * n * 4) {
    throw new Error(`--inputs: ${path} has ${bytes.byteLength} bytes; q, k, v need ${3 * n * 4}`);
  }
  const all = new Float32Array(3 * n);
  new Uint8Array(all.buffer).set(bytes);
  return { q: all.subarray(0, n), k: all.subarray(n, 2 * n), v: all.subarray(2 * n) };
}

/** `--kernel-file F [--like ID]`: the user's WGSL (the runner wrote F as `<name>.wgsl`). */
async function userKernelOf(flags: HarnessFlags): Promise<UserKernelSpec | undefined> {
  const file = flags.get('kernel-file');
  if (typeof file !== 'string') return undefined;
  const like = flags.get('like');
  return {
    language: 'wgsl',
    source: await readFile(file, 'utf8'),
    name: basename(file, extname(file)),
    ...(typeof like === 'string' ? { like } : {}),
  };
}

async function info(): Promise<void> {
  const engine = await openDawnEngine();
  emit({ type: 'hello', schema: HARNESS_SCHEMA, backend: 'dawn', env: engine.env() });
  emit({ type: 'log', message: KERNELS_LOG_PREFIX + JSON.stringify(engine.kernels()) });
}

async function run(flags: HarnessFlags): Promise<void> {
  const config = configOf(flags);
  const kernelId = String(flags.get('kernel') ?? '');
  const { rule, maxSamples } = stopOf(flags);
  const engine = await openDawnEngine();
  const userKernel = await userKernelOf(flags);
  // A user kernel is refused exactly as a built-in is (bad header: compile-error, with its line).
  const kernel = userKernel
    ? checkKernel(
        (await prepareUserKernel(userKernel, await loadNodeShaderSources(), 'dawn')).kernel,
        config,
        engine.traits,
      )
    : resolveKernel(kernelId, config, engine.traits);
  const kernelParams = planKernel(kernel, config.headDim, engine.traits).params;
  emit({
    type: 'hello',
    schema: HARNESS_SCHEMA,
    backend: 'dawn',
    kernel: kernelId,
    kernelParams,
    env: engine.env(),
  });
  const inputsPath = flags.get('inputs');
  const inputs =
    typeof inputsPath === 'string'
      ? await readInputs(inputsPath, tensorElements(config))
      : undefined;
  const stopper = new AbortController();
  const ended = { byStopLine: false }; // set in callbacks: an object keeps TS from narrowing
  const stdin = createInterface({ input: process.stdin });
  stdin.on('line', (line) => {
    if (line.trim() === 'stop') {
      ended.byStopLine = true;
      stopper.abort();
    }
  });
  let taken = 0;
  let phase = '';
  const outputPath = flags.get('output');
  const outcome = await engine.run({
    config,
    kernel: kernelId,
    userKernel,
    stop: rule,
    cache: flags.has('warm') ? 'warm' : 'cold',
    seed: num(flags, 'seed', 1),
    warmup: flags.has('warmup') ? num(flags, 'warmup') : undefined,
    inputs,
    wantOutput: typeof outputPath === 'string',
    signal: stopper.signal,
    onProgress: (p) => {
      if (p.phase !== phase) {
        phase = p.phase;
        emit({ type: 'log', message: `phase ${p.phase}` });
      }
    },
    onCheck: (correctness) => {
      emit({ type: 'check', correctness });
    },
    onSamples: (ms) => {
      emit({ type: 'samples', ms });
      taken += ms.length;
      if (maxSamples !== null && taken >= maxSamples) {
        ended.byStopLine = true;
        stopper.abort();
      }
    },
  });
  stdin.close();
  const { result, output } = outcome;
  if (typeof outputPath === 'string' && output) {
    await writeFileChecked(
      outputPath,
      Buffer.from(output.buffer, output.byteOffset, output.byteLength),
    );
  }
  emit({ type: 'memory', memory: result.memory });
  const endedByUs = result.status === 'cancelled' && ended.byStopLine;
  if (result.status === 'completed' || endedByUs) {
    emit({ type: 'done', timing: result.timing });
  } else {
    emit({
      type: 'error',
      code: result.error?.code ?? 'internal',
      message: result.error?.message ?? `run ${result.status}`,
    });
  }
}

async function main(argv: readonly string[]): Promise<number> {
  let flags: HarnessFlags;
  try {
    flags = parseFlags(argv);
    if (!flags.has('info')) configOf(flags);
  } catch (err) {
    emit({ type: 'error', code: 'bad-config', message: errorMessageOf(err) });
    return 1;
  }
  try {
    if (flags.has('info')) await info();
    else await run(flags);
    return 0;
  } catch (err) {
    emit({ type: 'error', code: errorCodeOf(err), message: errorMessageOf(err) });
    return 1;
  }
}

exitWithParent(); // never outlive the runner (kill -9 included)
process.exitCode = await main(process.argv.slice(2));
// Dawn keeps handles open: leave once the lines are flushed.
process.stdout.write('', () => process.exit());
