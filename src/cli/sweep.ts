/**
 * `attnlab sweep`: run several targets over a range of S (or D), write one result file per run,
 * and print a table with TFLOP/s and each target's speedup over the first, plus the geomean.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { compare, geomean } from '../stats/index.ts';
import type { DirectRunner, ResultFile } from '../model/index.ts';
import { CliError } from './errors.ts';
import { sweepOnRunners } from './sweep-fanout.ts';
import { DIRECT_BACKENDS, writeResult } from './run.ts';
import { addConfigFlags, configFromFlags, stopRuleFromFlags, type ConfigFlags } from './options.ts';
import { formatMs, sig } from './print.ts';

interface SweepFlags extends ConfigFlags {
  target: string[];
  seqs?: string;
  dims?: string;
  outDir?: string;
  seed: string;
  warm?: boolean;
  runner?: string[];
}

/** Parses `64,128,256` or `64..1024` (powers of two between the bounds). */
export function parseSizes(flag: string, text: string): number[] {
  const range = /^(\d+)\.\.(\d+)$/.exec(text.trim());
  if (range?.[1] !== undefined && range[2] !== undefined) {
    const lo = Number.parseInt(range[1], 10);
    const hi = Number.parseInt(range[2], 10);
    if (lo < 1 || hi < lo)
      throw new CliError(`--${flag}: range must be LO..HI with 1 ≤ LO ≤ HI, got "${text}"`);
    const sizes: number[] = [];
    for (let s = lo; s <= hi; s *= 2) sizes.push(s);
    return sizes;
  }
  const sizes = text.split(',').map((t) => Number(t.trim()));
  if (sizes.length === 0 || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new CliError(
      `--${flag}: expected a list like 128,256,512 or a range 64..4096, got "${text}"`,
    );
  }
  return sizes;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

async function action(flags: SweepFlags): Promise<void> {
  if (flags.target.length === 0)
    throw new CliError('--target: give at least one, e.g. --target webgpu:flash-f32');
  if ((flags.seqs === undefined) === (flags.dims === undefined)) {
    throw new CliError('choose what to vary: --seqs LIST or --dims LIST');
  }
  const targets = flags.target.map((spec) => {
    const [backend, kernel] = spec.split(':');
    if (backend === undefined || kernel === undefined || kernel === '') {
      throw new CliError(`--target: expected BACKEND:KERNEL, got "${spec}"`);
    }
    const load = DIRECT_BACKENDS[backend];
    // With --runner the runners say which backends they have (sweep-fanout.ts checks).
    if (!load && flags.runner === undefined)
      throw new CliError(
        `--target ${spec}: unknown backend (choose ${Object.keys(DIRECT_BACKENDS).join(', ')})`,
      );
    return { spec, backend, kernel, load: load ?? (() => Promise.reject(new Error(backend))) };
  });
  const varyS = flags.seqs !== undefined;
  const sizes = parseSizes(varyS ? 'seqs' : 'dims', flags.seqs ?? flags.dims ?? '');
  const stop = stopRuleFromFlags(flags, { kind: 'count', iterations: 50 });
  const seed = Number.parseInt(flags.seed, 10);
  if (flags.outDir !== undefined) await mkdir(flags.outDir, { recursive: true });
  const table: { size: number; results: ResultFile[] }[] = [];
  if (flags.runner !== undefined) {
    // Fanned out across the GPU lanes of the given runners; same points, same order.
    const specs = sizes.map((size) => {
      const config = varyS
        ? configFromFlags(flags, size)
        : configFromFlags({ ...flags, dim: String(size) });
      return targets.map((t) => ({
        config,
        kernel: t.kernel,
        stop,
        cache: flags.warm ? ('warm' as const) : ('cold' as const),
        seed,
      }));
    });
    const labels = sizes.map((size) => `${varyS ? 'S' : 'D'}=${size}`);
    const rows = await sweepOnRunners(flags.runner, targets, specs, labels, (line) =>
      process.stderr.write(`${line}\n`),
    );
    for (const [i, size] of sizes.entries()) {
      const results = rows[i] ?? [];
      table.push({ size, results });
      if (flags.outDir === undefined) continue;
      for (const [ti, t] of targets.entries()) {
        const r = results[ti];
        const name = `${t.backend}-${t.kernel}-${varyS ? 'S' : 'D'}${size}.json`;
        if (r) await writeResult(join(flags.outDir, name), r);
      }
    }
  }
  const runners = new Map<string, DirectRunner>();
  if (flags.runner === undefined) for (const t of targets) runners.set(t.spec, await t.load());
  for (const size of flags.runner === undefined ? sizes : []) {
    const config = varyS
      ? configFromFlags(flags, size)
      : configFromFlags({ ...flags, dim: String(size) });
    const results: ResultFile[] = [];
    for (const t of targets) {
      const runner = runners.get(t.spec);
      if (!runner) continue;
      process.stderr.write(`${t.spec} ${varyS ? 'S' : 'D'}=${size} …\n`);
      const { result } = await runner({
        config,
        kernel: t.kernel,
        stop,
        cache: flags.warm ? 'warm' : 'cold',
        seed,
      });
      results.push(result);
      if (flags.outDir !== undefined) {
        await writeResult(
          join(flags.outDir, `${t.backend}-${t.kernel}-${varyS ? 'S' : 'D'}${size}.json`),
          result,
        );
      }
    }
    table.push({ size, results });
  }
  const header = [
    varyS ? 'S' : 'D',
    ...targets.flatMap((t, i) =>
      i === 0 ? [`${t.spec} median`, 'TFLOP/s'] : [`${t.spec} median`, 'TFLOP/s', 'speedup [CI]'],
    ),
  ];
  const lines = [header.join(' | ')];
  const speedups: number[][] = targets.map(() => []);
  for (const row of table) {
    const base = row.results[0];
    const cells = [String(row.size)];
    row.results.forEach((r, i) => {
      cells.push(
        r.derived ? formatMs(r.derived.medianMs) : r.status,
        r.derived ? sig(r.derived.tflops, 4) : '—',
      );
      if (i > 0) {
        if (base?.derived && r.derived) {
          const c = compare(base.samples.ms, r.samples.ms, { seed, resamples: 2000 });
          speedups[i]?.push(c.speedup.estimate);
          cells.push(
            `${sig(c.speedup.estimate, 3)}× [${sig(c.speedup.ci[0], 3)}, ${sig(c.speedup.ci[1], 3)}] ${c.verdict}`,
          );
        } else cells.push('—');
      }
    });
    lines.push(cells.join(' | '));
  }
  for (let i = 1; i < targets.length; i++) {
    const s = speedups[i] ?? [];
    if (s.length > 0)
      lines.push(
        `geomean speedup of ${targets[i]?.spec ?? ''} over ${targets[0]?.spec ?? ''}: ${sig(geomean(s), 4)}× over ${s.length} sizes`,
      );
  }
  process.stdout.write(lines.join('\n') + '\n');
}

/** Registers `attnlab sweep`. */
export function registerSweep(program: Command): void {
  const cmd = new Command('sweep')
    .description(
      'Run targets over a range of sequence lengths (or head dims); print TFLOP/s, speedups and their geomean.',
    )
    .option(
      '-t, --target <backend:kernel>',
      'a target to run (repeat; the first is the baseline)',
      collect,
      [],
    )
    .option('--seqs <list>', 'sequence lengths: 128,256,512 or a power-of-two range 64..4096')
    .option('--dims <list>', 'head dims instead of sequence lengths, e.g. 32,64,128');
  addConfigFlags(cmd, { seq: false })
    .option('--warm', 'warm cache', false)
    .option('--seed <n>', 'seed of inputs and bootstrap', '1')
    .option('--out-dir <dir>', 'write one result file per run here')
    .option(
      '--runner <url...>',
      'run on these runners (ws://HOST:PORT, #TOKEN appended when needed), points fanned out across all their GPUs',
    )
    .action(action);
  program.addCommand(cmd);
}
