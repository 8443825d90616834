/**
 * `attnlab run`: one backend, one kernel, one config, no server. Writes an attnlab/result@1
 * file atomically and prints a short report.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { writeFileChecked } from '../../native-runner/src/server/checked-write.ts';
import {
  MAX_USER_SOURCE_BYTES,
  formatMs,
  userKernelSpecSchema,
  validateConfig,
} from '../model/index.ts';
import type {
  AttentionConfig,
  DeviceInfo,
  DirectRunner,
  InputTensors,
  ResultFile,
  StopRule,
  UserKernelSpec,
} from '../model/index.ts';
import { readNpy, writeNpy } from '../reference/npy.ts';
import { CliError } from './errors.ts';
import { defaultKernel } from './kernels.ts';
import {
  addConfigFlags,
  configFromFlags,
  intInRange,
  requireWritable,
  stopRuleFromFlags,
  type ConfigFlags,
} from './options.ts';
import { formatRunReport } from './print.ts';
import { writeResult } from './result-file.ts';
import { vsAction } from './run-ab.ts';

/** Backends `attnlab run` can drive directly, and how to load each. */
export const DIRECT_BACKENDS: Record<string, () => Promise<DirectRunner>> = {
  webgpu: async () => (await import('../webgpu/node/direct.ts')).runDawnDirect,
  dawn: async () => (await import('../webgpu/node/direct.ts')).runDawnDirect,
  cuda: async () => (await import('../../native-runner/src/direct.ts')).directRunner('cuda'),
  sdpa: async () => (await import('../../native-runner/src/direct.ts')).directRunner('sdpa'),
  // The Python harness with a user callable (`--callable`): SDPA is its built-in instance.
  python: async () => (await import('../../native-runner/src/direct.ts')).directRunner('sdpa'),
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
  kernel?: string;
  kernelFile?: string;
  like?: string;
  callable?: string;
  python?: string;
  out?: string;
  inputs?: string;
  saveOutput?: string;
  warm?: boolean;
  warmup?: string;
  seed: string;
  json?: boolean;
  progress: boolean;
  device?: string;
  vs?: string;
  vsOut?: string;
  rounds: string;
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

/** Which user-kernel language each backend takes from --kernel-file. */
const KERNEL_FILE_LANGUAGE: Record<string, 'wgsl' | 'cuda'> = {
  webgpu: 'wgsl',
  dawn: 'wgsl',
  cuda: 'cuda',
};

/**
 * Reads --kernel-file into a validated user kernel: the language follows the backend, the id is
 * the file's stem (a header `id=` may still override it for WGSL).
 */
export async function userKernelFromFile(
  backend: string,
  path: string,
  like: string | undefined,
): Promise<UserKernelSpec> {
  const language = KERNEL_FILE_LANGUAGE[backend];
  if (language === undefined) {
    throw new CliError(
      `--kernel-file: backend ${backend} takes no kernel file (webgpu/dawn: a .wgsl file, cuda: a .cu file; python: --callable)`,
    );
  }
  if (like !== undefined && language !== 'wgsl') {
    throw new CliError(`--like: only for WGSL kernels (--backend webgpu), not ${backend}`);
  }
  let source: string;
  try {
    source = await readFile(path, 'utf8');
  } catch (err) {
    throw new CliError(`--kernel-file: cannot read ${path} (${(err as Error).message})`);
  }
  const bytes = Buffer.byteLength(source, 'utf8');
  if (bytes > MAX_USER_SOURCE_BYTES) {
    throw new CliError(
      `--kernel-file: ${path} is ${bytes} bytes; the limit is ${MAX_USER_SOURCE_BYTES} (256 KiB)`,
    );
  }
  const name = basename(path, extname(path))
    .replace(/[^\w.-]/g, '_')
    .slice(0, 48);
  const parsed = userKernelSpecSchema.safeParse({
    language,
    source,
    name: /^[A-Za-z0-9]/.test(name) ? name : `k${name}`.slice(0, 48),
    ...(like !== undefined ? { like } : {}),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CliError(`--kernel-file: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`);
  }
  return parsed.data;
}

/** `--callable pkg.module:fn` (backends python and sdpa), validated; undefined without it. */
export function userKernelFromCallable(flags: {
  backend: string;
  callable?: string | undefined;
  python?: string | undefined;
}): UserKernelSpec | undefined {
  const takesPython = flags.backend === 'python' || flags.backend === 'sdpa';
  if (flags.callable === undefined) {
    if (flags.backend === 'python') {
      throw new CliError('--callable: --backend python needs --callable pkg.module:function');
    }
    if (flags.python !== undefined && !takesPython) {
      throw new CliError(`--python: only for --backend python or sdpa, not ${flags.backend}`);
    }
    return undefined;
  }
  if (!takesPython) {
    throw new CliError(`--callable: only for --backend python (or sdpa), not ${flags.backend}`);
  }
  const parsed = userKernelSpecSchema.safeParse({ language: 'python', callable: flags.callable });
  if (!parsed.success) {
    throw new CliError(
      `--callable: ${parsed.error.issues[0]?.message ?? 'invalid'} (got "${flags.callable}")`,
    );
  }
  return parsed.data;
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
  const seed = intInRange('seed', flags.seed, 0, 0xffffffff);
  const warmup =
    flags.warmup === undefined ? undefined : intInRange('warmup', flags.warmup, 0, 10_000);
  // Found out before the run, not after minutes of sampling.
  if (flags.out !== undefined) await requireWritable('--out', flags.out);
  if (flags.saveOutput !== undefined) await requireWritable('--save-output', flags.saveOutput);
  let inputs: InputTensors | undefined;
  if (flags.inputs !== undefined) ({ config, inputs } = await loadInputs(flags.inputs, config));
  const kernel = flags.kernel ?? defaultKernel(flags.backend, config.dtype);
  if (kernel === undefined && flags.kernelFile === undefined && flags.callable === undefined) {
    throw new CliError(
      `--kernel: backend ${flags.backend} has no default kernel for ${config.dtype}; name one`,
    );
  }
  const record =
    flags.device === undefined ? undefined : await pinDevice(flags.backend, flags.device);
  if (flags.like !== undefined && flags.kernelFile === undefined) {
    throw new CliError(
      '--like: names the built-in a --kernel-file follows; give --kernel-file too',
    );
  }
  const userKernel =
    flags.kernelFile !== undefined
      ? await userKernelFromFile(flags.backend, flags.kernelFile, flags.like)
      : userKernelFromCallable(flags);
  // The interpreter the Python harness runs under (read when the sdpa backend starts).
  if (flags.python !== undefined) process.env.ATTNLAB_PYTHON = flags.python;
  const runner = await load();
  if (flags.vs !== undefined) {
    const name = kernelId(kernel, userKernel);
    await vsAction(flags, runner, {
      config,
      cache: flags.warm ? 'warm' : 'cold',
      warmup,
      inputs,
      seed,
      stop,
      name,
      userKernel,
      record,
    });
    return;
  }
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
      kernel: kernelId(kernel, userKernel),
      userKernel,
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
          median: p.medianMs === null ? '—' : formatMs(p.medianMs),
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
      await writeFileChecked(
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

/** The id a run reports: the built-in's, or the user kernel's name (a callable's function). */
function kernelId(kernel: string | undefined, userKernel: UserKernelSpec | undefined): string {
  if (userKernel === undefined) return kernel ?? '';
  if (userKernel.language === 'python')
    return userKernel.callable.split(':')[1] ?? kernel ?? 'callable';
  return userKernel.name ?? kernel ?? 'user-kernel';
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
    .option(
      '-k, --kernel <id>',
      "kernel id (see the backend's list); default: the backend's best general kernel for the dtype (cpu: cpu-flash-f32, webgpu/dawn: flash-f32 or flash-f16, cuda: flash-v1 or naive-f32, sdpa: flash or efficient)",
    )
    .option(
      '--kernel-file <file>',
      'your own kernel instead of a built-in: .wgsl (webgpu; contract in shaders/README.md) or .cu (cuda)',
    )
    .option(
      '--callable <pkg.module:fn>',
      'with --backend python: time your PyTorch function fn(q, k, v, causal, scale) -> o like sdpa',
    )
    .option(
      '--python <path>',
      'the Python interpreter for --backend python/sdpa (else $ATTNLAB_PYTHON or python3)',
    )
    .option(
      '--like <id>',
      "with a .wgsl --kernel-file: the built-in whose descriptor it follows (unless its '// @attnlab' header declares one)",
    );
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
    .option(
      '--vs <id>',
      'compare with this built-in kernel of the same backend, interleaved in rounds (A B A B …) so run-to-run drift falls on both; --iterations is per side (default 100)',
    )
    .option('--rounds <n>', 'with --vs: rounds of A then B (2..100)', '5')
    .option('--vs-out <file.json>', "with --vs: write the baseline's merged result file here")
    .action(action);
  program.addCommand(cmd);
}
