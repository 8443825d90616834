/**
 * `attnlab sweep`: run several targets over the cartesian product of config axes (nvbench-style:
 * B, H, S, D, Skv, Hkv, causal, dtype), write one result file per run, and print an aligned
 * Markdown table with TFLOP/s, each target's speedup over the first with its CI, and geomeans.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import { compare, geomean } from '../stats/index.ts';
import {
  SWEEP_AXES,
  ValidationError,
  applyPoint,
  parseAxisValues,
  pointLabel,
  sweepPoints,
  toSweepAxis,
  validateConfig,
} from '../model/index.ts';
import type {
  AttentionConfig,
  AxisSpec,
  DirectRunner,
  ResultFile,
  SweepAxis,
} from '../model/index.ts';
import { CliError } from './errors.ts';
import { sweepOnRunners } from './sweep-fanout.ts';
import { writeResult } from './result-file.ts';
import { DIRECT_BACKENDS } from './run.ts';
import { addConfigFlags, configFromFlags, stopRuleFromFlags, type ConfigFlags } from './options.ts';
import { formatSweepTable, type SweepGeomean, type SweepRow } from './sweep-table.ts';

interface SweepFlags extends ConfigFlags {
  target: string[];
  batches?: string;
  seqs?: string;
  dims?: string;
  kvSeqs?: string;
  kvHeads?: string;
  dtypes?: string;
  axis: string[];
  outDir?: string;
  seed: string;
  warm?: boolean;
  runner?: string[];
  progress: boolean;
}

/** A list or range rather than one value (`8,16` or `64..1024`). */
function isList(text: string): boolean {
  return /[,]|\.\./.test(text);
}

/** The swept axes, in the order of the flags (then `--axis` in the order given). */
export function axesFromFlags(flags: SweepFlags): AxisSpec[] {
  const specs: AxisSpec[] = [];
  const add = (axis: SweepAxis, text: string, flag: string): void => {
    if (specs.some((s) => s.axis === axis)) {
      throw new CliError(`--${flag}: the ${axis} axis is already swept by another flag`);
    }
    const parsed = parseAxisValues(axis, text);
    if (!parsed.ok) throw new CliError(`--${flag}: ${parsed.error}`);
    specs.push({ axis, values: parsed.values });
  };
  if (isList(flags.batch)) add('batch', flags.batch, 'batch');
  if (flags.batches !== undefined) add('batch', flags.batches, 'batches');
  if (isList(flags.heads)) add('heads', flags.heads, 'heads');
  if (flags.seqs !== undefined) add('seqLen', flags.seqs, 'seqs');
  if (flags.dims !== undefined) add('headDim', flags.dims, 'dims');
  if (flags.kvSeqs !== undefined) add('kvSeqLen', flags.kvSeqs, 'kv-seqs');
  if (flags.kvHeads !== undefined) add('kvHeads', flags.kvHeads, 'kv-heads');
  if (typeof flags.causal === 'string' && flags.causal !== 'true' && flags.causal !== 'false') {
    add('causal', flags.causal, 'causal');
  }
  if (flags.dtypes !== undefined) add('dtype', flags.dtypes, 'dtypes');
  for (const spec of flags.axis) {
    const eq = spec.indexOf('=');
    const axis = toSweepAxis(eq < 0 ? spec : spec.slice(0, eq));
    if (eq < 0 || axis === null) {
      throw new CliError(
        `--axis: expected NAME=VALUES with NAME one of ${SWEEP_AXES.join(', ')} (or B, H, S, D, Skv, Hkv), got "${spec}"`,
      );
    }
    add(axis, spec.slice(eq + 1), 'axis');
  }
  if (specs.length === 0) {
    throw new CliError(
      'choose what to sweep: --seqs, --dims, --batches, --heads LIST, --kv-seqs, --kv-heads, --causal both, --dtypes or --axis NAME=VALUES',
    );
  }
  return specs;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseTargets(
  specs: readonly string[],
  viaRunners: boolean,
): {
  spec: string;
  backend: string;
  kernel: string;
  load: () => Promise<DirectRunner>;
}[] {
  if (specs.length === 0)
    throw new CliError('--target: give at least one, e.g. --target webgpu:flash-f32');
  return specs.map((spec) => {
    const [backend, kernel] = spec.split(':');
    if (backend === undefined || kernel === undefined || kernel === '') {
      throw new CliError(`--target: expected BACKEND:KERNEL, got "${spec}"`);
    }
    const load = DIRECT_BACKENDS[backend];
    // With --runner the runners say which backends they have (sweep-fanout.ts checks).
    if (!load && !viaRunners)
      throw new CliError(
        `--target ${spec}: unknown backend (choose ${Object.keys(DIRECT_BACKENDS).join(', ')})`,
      );
    return { spec, backend, kernel, load: load ?? (() => Promise.reject(new Error(backend))) };
  });
}

/** Progress on stderr: a bar on a terminal, one line per run otherwise. */
function progress(total: number, enabled: boolean): { step(label: string): void; stop(): void } {
  if (!enabled) return { step: () => undefined, stop: () => undefined };
  if (!process.stderr.isTTY) {
    let done = 0;
    return {
      step: (label) => process.stderr.write(`[${++done}/${total}] ${label} …\n`),
      stop: () => undefined,
    };
  }
  const bar = new SingleBar(
    { format: ' sweep |{bar}| {value}/{total} runs · {label}', hideCursor: true },
    Presets.shades_classic,
  );
  let done = -1;
  bar.start(total, 0, { label: '' });
  return {
    step: (label) => {
      bar.update(++done, { label });
    },
    stop: () => {
      bar.update(total, { label: 'done' });
      bar.stop();
    },
  };
}

async function action(flags: SweepFlags): Promise<void> {
  const targets = parseTargets(flags.target, flags.runner !== undefined);
  const specs = axesFromFlags(flags);
  const axes = specs.map((s) => s.axis);
  // The base config takes the first value of a swept B or H, so that it validates alone.
  const base = configFromFlags(
    {
      ...flags,
      batch: isList(flags.batch) ? (flags.batch.split(/,|\.\./)[0] ?? '1') : flags.batch,
      heads: isList(flags.heads) ? (flags.heads.split(/,|\.\./)[0] ?? '1') : flags.heads,
      // --kv-heads is an axis here: applyPoint sets it per point.
      kvHeads: undefined,
    },
    512,
  );
  // Every point is validated before the first run: a bad combination (Hkv not dividing H)
  // should not surface after an hour of measuring.
  const points = sweepPoints(specs).map((point) => {
    const label = pointLabel(point, axes);
    try {
      return { point, label, config: validateConfig(applyPoint(base, point)) };
    } catch (err) {
      if (err instanceof ValidationError) {
        throw new CliError(`sweep point ${label}: ${err.issues.join('; ')}`);
      }
      throw err;
    }
  });
  const stop = stopRuleFromFlags(flags, { kind: 'count', iterations: 50 });
  const seed = Number.parseInt(flags.seed, 10);
  if (flags.outDir !== undefined) await mkdir(flags.outDir, { recursive: true });
  const results: {
    label: string;
    point: (typeof points)[number]['point'];
    results: ResultFile[];
  }[] = [];
  const cache = flags.warm ? ('warm' as const) : ('cold' as const);
  const save = async (t: (typeof targets)[number], label: string, r: ResultFile): Promise<void> => {
    if (flags.outDir === undefined) return;
    const stem = label.replaceAll(' ', '-').replaceAll('=', '');
    await writeResult(join(flags.outDir, `${t.backend}-${t.kernel}-${stem}.json`), r);
  };
  if (flags.runner !== undefined) {
    // Fanned out across the GPU lanes of the given runners; same points, same order.
    const runSpecs = points.map(({ config }) =>
      targets.map((t) => ({ config, kernel: t.kernel, stop, cache, seed })),
    );
    const rows = await sweepOnRunners(
      flags.runner,
      targets,
      runSpecs,
      points.map((p) => p.label),
      (line) => process.stderr.write(`${line}\n`),
    );
    for (const [i, { point, label }] of points.entries()) {
      const row = rows[i] ?? [];
      for (const [ti, t] of targets.entries()) {
        const r = row[ti];
        if (r) await save(t, label, r);
      }
      results.push({ label, point, results: row });
    }
  } else {
    const runners = new Map<string, DirectRunner>();
    for (const t of targets) runners.set(t.spec, await t.load());
    const bar = progress(points.length * targets.length, flags.progress);
    try {
      for (const { point, label, config } of points) {
        const row: ResultFile[] = [];
        for (const t of targets) {
          const runner = runners.get(t.spec);
          if (!runner) continue;
          bar.step(`${t.spec} ${label}`);
          const { result } = await runner({
            config: config satisfies AttentionConfig,
            kernel: t.kernel,
            stop,
            cache,
            seed,
          });
          row.push(result);
          await save(t, label, result);
        }
        results.push({ label, point, results: row });
      }
    } finally {
      bar.stop();
    }
  }
  // Speedups and their CIs from src/stats, as `attnlab compare` computes them.
  const speedups: number[][] = targets.map(() => []);
  const rows: SweepRow[] = results.map(({ point, results: row }) => {
    const baseResult = row[0];
    return {
      point,
      cells: row.map((r, i) => {
        const cell = {
          medianMs: r.derived?.medianMs ?? null,
          tflops: r.derived?.tflops ?? null,
          status: r.status,
        };
        if (i === 0) return cell;
        if (!baseResult?.derived || !r.derived) return { ...cell, speedup: null };
        const c = compare(baseResult.samples.ms, r.samples.ms, { seed, resamples: 2000 });
        speedups[i]?.push(c.speedup.estimate);
        return {
          ...cell,
          speedup: { estimate: c.speedup.estimate, ci: c.speedup.ci, verdict: c.verdict },
        };
      }),
    };
  });
  const geomeans: SweepGeomean[] = targets.slice(1).flatMap((t, k) => {
    const s = speedups[k + 1] ?? [];
    return s.length > 0 ? [{ target: t.spec, geomean: geomean(s), points: s.length }] : [];
  });
  process.stdout.write(
    formatSweepTable(
      axes,
      targets.map((t) => t.spec),
      rows,
      geomeans,
    ),
  );
}

/** Registers `attnlab sweep`. */
export function registerSweep(program: Command): void {
  const cmd = new Command('sweep')
    .description(
      'Run targets over the product of config axes (B, H, S, D, Skv, Hkv, causal, dtype); print an aligned Markdown table of medians, TFLOP/s, speedups with 95% CIs, and geomeans.',
    )
    .option(
      '-t, --target <backend:kernel>',
      'a target to run (repeat; the first is the baseline)',
      collect,
      [],
    )
    .option('--seqs <list>', 'axis S: 128,256,512 or a power-of-two range 64..4096')
    .option('--dims <list>', 'axis D: head dims, e.g. 32,64,128')
    .option('--batches <list>', 'axis B: batch sizes, e.g. 1,4,16 (or give --batch a list)')
    .option('--kv-seqs <list>', 'axis Skv: key/value lengths (decode), e.g. 1024..16384')
    .option('--kv-heads <list>', 'axis Hkv: key/value heads (grouped-query; each divides H)')
    .option('--dtypes <list>', 'axis dtype: e.g. f32,f16')
    .option(
      '--axis <name=values>',
      'any axis by name (batch|B, heads|H, seqLen|S, headDim|D, kvSeqLen|Skv, kvHeads|Hkv, causal, dtype), e.g. --axis H=8,16 --axis causal=both (repeat)',
      collect,
      [],
    );
  addConfigFlags(cmd, { seq: false, sweep: true })
    .option('--warm', 'warm cache', false)
    .option('--seed <n>', 'seed of inputs and bootstrap', '1')
    .option('--out-dir <dir>', 'write one result file per run here')
    .option(
      '--runner <url...>',
      'run on these runners (ws://HOST:PORT, #TOKEN appended when needed), points fanned out across all their GPUs',
    )
    .option('--no-progress', 'no progress bar on stderr')
    .addHelpText(
      'after',
      `
Axes multiply (nvbench-style): --seqs 256,512 --causal both runs 4 points per target.
-H/--heads and -b/--batch take a single value, or a list to sweep them.
The table on stdout is valid Markdown with aligned columns (paste it into a PR).

Examples:
  attnlab sweep -t cpu:cpu-flash-f32 -t dawn:flash-f32 --seqs 128..1024
  attnlab sweep -t cuda:flash-hopper --heads 8,16,32 --kv-heads 1,8 --seqs 4096
  attnlab sweep -t sdpa:flash --axis S=1024,2048 --causal both --dtypes f16,bf16`,
    )
    .action(action);
  program.addCommand(cmd);
}
