/**
 * `attnlab run`: one backend, one kernel, one config, no server. Writes an attnlab/result@1
 * file atomically and prints a short report.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import writeFileAtomic from 'write-file-atomic';
import { validateConfig } from '../model/index.ts';
import type {
  AttentionConfig,
  DeviceInfo,
  DirectRunner,
  InputTensors,
  ResultFile,
  StopRule,
} from '../model/index.ts';
import { readNpy, writeNpy } from '../reference/npy.ts';
import { CliError } from './errors.ts';
import { addConfigFlags, configFromFlags, stopRuleFromFlags, type ConfigFlags } from './options.ts';
import { formatRunReport } from './print.ts';

/** Backends `attnlab run` can drive directly, and how to load each. */
export const DIRECT_BACKENDS: Record<string, () => Promise<DirectRunner>> = {
  webgpu: async () => (await import('../webgpu/node/direct.ts')).runDawnDirect,
  dawn: async () => (await import('../webgpu/node/direct.ts')).runDawnDirect,
  cuda: async () => (await import('../../native-runner/src/direct.ts')).directRunner('cuda'),
  sdpa: async () => (await import('../../native-runner/src/direct.ts')).directRunner('sdpa'),
  cpu: async () => (await import('../../native-runner/src/direct.ts')).directRunner('cpu'),
};

/** Default stop rule of `attnlab run`: ±1% CI of the median, at most 1000 samples or 20 s. */
export const DEFAULT_STOP: StopRule = {
  kind: 'ci',
  target: 0.01,
  maxIterations: 1000,
  maxMs: 20_000,
};

interface RunFlags extends ConfigFlags {
  backend: string;
  kernel: string;
  out?: string;
  inputs?: string;
  saveOutput?: string;
  warm?: boolean;
  warmup?: string;
  seed: string;
  json?: boolean;
  progress: boolean;
  device?: string;
}

/**
 * Reads q.npy [B, H, S, D] and k.npy, v.npy [B, Hkv, Skv, D] from a folder; the config's shape
 * and dtype come from them (K's shape gives Hkv and Skv; `--kv-heads`/`--kv-seq`, when given,
 * must agree with it).
 */
export async function loadInputs(
  dir: string,
  base: AttentionConfig,
): Promise<{ config: AttentionConfig; inputs: InputTensors }> {
  const arrays = await Promise.all(
    (['q', 'k', 'v'] as const).map(async (name) => {
      const path = join(dir, `${name}.npy`);
      let bytes: Uint8Array;
      try {
        bytes = await readFile(path);
      } catch {
        throw new CliError(
          `--inputs: cannot read ${path} (expected q.npy, k.npy, v.npy in ${dir})`,
        );
      }
      try {
        return readNpy(bytes, path);
      } catch (err) {
        throw new CliError(`--inputs: ${(err as Error).message}`);
      }
    }),
  );
  const [q, k, v] = arrays as [(typeof arrays)[0], (typeof arrays)[0], (typeof arrays)[0]];
  if (q.shape.length !== 4) {
    throw new CliError(`--inputs: q.npy must have shape [B, H, S, D], got (${q.shape.join(', ')})`);
  }
  const [batch, heads, seqLen, headDim] = q.shape as [number, number, number, number];
  const want = `[B=${batch}, Hkv${base.kvHeads !== undefined ? `=${base.kvHeads}` : ''}, Skv${base.kvSeqLen !== undefined ? `=${base.kvSeqLen}` : ''}, D=${headDim}]`;
  for (const [name, arr] of [
    ['k', k],
    ['v', v],
  ] as const) {
    const [kb, kh, ks, kd] = arr.shape;
    if (
      arr.shape.length !== 4 ||
      kb !== batch ||
      kd !== headDim ||
      (base.kvHeads !== undefined && kh !== base.kvHeads) ||
      (base.kvSeqLen !== undefined && ks !== base.kvSeqLen)
    ) {
      throw new CliError(
        `--inputs: ${name}.npy must have shape ${want} (Hkv dividing H=${heads}), got (${arr.shape.join(', ')})`,
      );
    }
    if (arr.dtype !== q.dtype) {
      throw new CliError(
        `--inputs: ${name}.npy is ${arr.dtype} but q.npy is ${q.dtype}; use one dtype`,
      );
    }
  }
  if (v.shape.join(',') !== k.shape.join(',')) {
    throw new CliError(
      `--inputs: v.npy shape (${v.shape.join(', ')}) does not match k.npy (${k.shape.join(', ')})`,
    );
  }
  const [, kvHeads, kvSeqLen] = k.shape as [number, number, number, number];
  let config: AttentionConfig;
  try {
    config = validateConfig({
      causal: base.causal,
      ...(base.scale !== undefined ? { scale: base.scale } : {}),
      batch,
      heads,
      seqLen,
      headDim,
      dtype: q.dtype,
      // Square inputs keep the fields absent, as in files from before GQA.
      ...(kvHeads !== heads ? { kvHeads } : {}),
      ...(kvSeqLen !== seqLen ? { kvSeqLen } : {}),
    });
  } catch (err) {
    throw new CliError(
      `--inputs: shape from q.npy and k.npy is not a valid config: ${(err as Error).message}`,
    );
  }
  return { config, inputs: { q: q.data, k: k.data, v: v.data } };
}

/** Writes a result file atomically (temp file + rename): never half-written. */
export async function writeResult(path: string, result: ResultFile): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(result, null, 2) + '\n');
}

async function action(flags: RunFlags): Promise<void> {
  const load = DIRECT_BACKENDS[flags.backend];
  if (!load) {
    throw new CliError(
      `--backend: unknown backend "${flags.backend}" (choose ${Object.keys(DIRECT_BACKENDS).join(', ')})`,
    );
  }
  let config = configFromFlags(flags);
  const stop = stopRuleFromFlags(flags, DEFAULT_STOP);
  let inputs: InputTensors | undefined;
  if (flags.inputs !== undefined) ({ config, inputs } = await loadInputs(flags.inputs, config));
  const seed = Number.parseInt(flags.seed, 10);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new CliError(`--seed: expected an integer in 0..4294967295, got "${flags.seed}"`);
  }
  const warmup = flags.warmup === undefined ? undefined : Number.parseInt(flags.warmup, 10);
  if (warmup !== undefined && (!Number.isInteger(warmup) || warmup < 0 || warmup > 10_000)) {
    throw new CliError(`--warmup: expected an integer in 0..10000, got "${flags.warmup ?? ''}"`);
  }
  const record =
    flags.device === undefined ? undefined : await pinDevice(flags.backend, flags.device);
  const runner = await load();
  const showBar = flags.progress && process.stderr.isTTY && flags.json !== true;
  const bar = new SingleBar(
    {
      format: ' {phase} |{bar}| {value}/{total} samples · median {median} · {elapsed}s',
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  const bar$ = { started: false };
  const controller = new AbortController();
  const onSigint = (): void => {
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  try {
    const outcome = await runner({
      config,
      kernel: flags.kernel,
      stop,
      cache: flags.warm ? 'warm' : 'cold',
      seed,
      warmup,
      inputs,
      wantOutput: flags.saveOutput !== undefined,
      signal: controller.signal,
      onProgress: (p) => {
        if (!showBar) return;
        const payload = {
          phase: p.phase.padEnd(7),
          median: p.medianMs === null ? '—' : `${p.medianMs.toPrecision(4)} ms`,
          elapsed: (p.elapsedMs / 1000).toFixed(1),
        };
        const total = p.expected ?? Math.max(p.samples, 1);
        if (!bar$.started) {
          bar.start(total, p.samples, payload);
          bar$.started = true;
        } else {
          bar.setTotal(total);
          bar.update(p.samples, payload);
        }
      },
    });
    if (bar$.started) bar.stop();
    const { output } = outcome;
    const result = record === undefined ? outcome.result : record(outcome.result);
    if (flags.out !== undefined) await writeResult(flags.out, result);
    if (flags.saveOutput !== undefined) {
      if (!output)
        throw new CliError(`--save-output: backend ${flags.backend} returned no output`, 1);
      const { batch, heads, seqLen, headDim } = result.config;
      const npy = writeNpy(output, [batch, heads, seqLen, headDim]);
      await writeFileAtomic(
        flags.saveOutput,
        Buffer.from(npy.buffer, npy.byteOffset, npy.byteLength),
      );
    }
    process.stdout.write(
      flags.json ? JSON.stringify(result, null, 2) + '\n' : formatRunReport(result, flags.out),
    );
    if (result.status !== 'completed') process.exitCode = 1;
  } finally {
    process.off('SIGINT', onSigint);
    if (bar$.started) bar.stop();
  }
}

/**
 * Pins this run's harness to one GPU (`--device`): CUDA sees only that GPU. Returns what marks
 * the result with that GPU (env.gpu index, UUID, PCI bus id).
 */
async function pinDevice(
  backend: string,
  text: string,
): Promise<(result: ResultFile) => ResultFile> {
  if (backend !== 'cuda' && backend !== 'sdpa') {
    throw new CliError(
      `--device: applies to the cuda and sdpa backends (got --backend ${backend})`,
    );
  }
  const { pinningEnv, recordDevice, resolveDevice } =
    await import('../../native-runner/src/devices.ts');
  let device: DeviceInfo;
  try {
    device = await resolveDevice(text);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  // The harness inherits this process's environment.
  Object.assign(process.env, pinningEnv(device));
  return (result) => recordDevice(result, device);
}

/** Registers `attnlab run`. */
export function registerRun(program: Command): void {
  const cmd = new Command('run')
    .description(
      'Run one attention kernel on one backend: check it against the f64 reference, then time it.',
    )
    .requiredOption('--backend <id>', `backend: ${Object.keys(DIRECT_BACKENDS).join(' | ')}`)
    .option('-k, --kernel <id>', "kernel id (see the backend's list)", 'flash-f32');
  addConfigFlags(cmd)
    .option(
      '--warm',
      'warm cache (default cold: L2 flushed / inputs rotated outside the timed span)',
      false,
    )
    .option('--warmup <n>', 'warmup launches (default: backend chooses)')
    .option('--seed <n>', 'seed of the random inputs and the bootstrap', '1')
    .option(
      '--inputs <dir>',
      'read q.npy [B,H,S,D] and k.npy, v.npy [B,Hkv,Skv,D] (float32 or float16) instead of random inputs',
    )
    .option('--save-output <file.npy>', "write the kernel's output O as float32 .npy")
    .option('-o, --out <file.json>', 'write the attnlab/result@1 file here')
    .option('--json', 'print the result file to stdout instead of the report', false)
    .option('--no-progress', 'no progress bar')
    .option('--device <n>', 'GPU to run on (cuda, sdpa): its index or UUID (default: GPU 0)')
    .action(action);
  program.addCommand(cmd);
}
