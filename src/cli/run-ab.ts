/**
 * `attnlab run … --vs ID`: the run's kernel (B) against a built-in of the same backend (A),
 * interleaved in rounds (A B A B …) in one process. Two separate runs of the same kernel can
 * differ by a few percent (clocks, heat, what else the machine does), which neither run's CI
 * contains; alternating rounds spread that over both sides, so the verdict includes it.
 */
import { DEFAULT_MARGIN, compare } from '../stats/index.ts';
import { combineRounds, deriveFigures, diffEnv } from '../model/index.ts';
import type {
  DirectRunOptions,
  DirectRunner,
  ResultFile,
  StopRule,
  UserKernelSpec,
} from '../model/index.ts';
import { errorMessageOf } from '../webgpu/errors.ts';
import { formatCompareText } from './compare-report.ts';
import { quantumOf } from './compare.ts';
import { CliError } from './errors.ts';
import { intInRange, requireWritable } from './options.ts';
import { formatRunReport } from './print.ts';
import { writeResult } from './result-file.ts';

/** Most rounds `--rounds` accepts. */
const MAX_AB_ROUNDS = 100;

/** What both sides of an interleaved run share: config, cache, warm-up, inputs. */
export type SharedRun = Pick<DirectRunOptions, 'config' | 'cache' | 'warmup' | 'inputs'>;

/** One side of an interleaved run. */
export interface AbSide {
  /** Kernel id (a user kernel's display id). */
  kernel: string;
  /** The user's kernel, for the candidate side. */
  userKernel?: DirectRunOptions['userKernel'];
  /** How the other side's result notes name it. */
  label: string;
}

/** What an interleaved run needs. */
export interface AbOptions {
  runner: DirectRunner;
  /** What both sides share. */
  shared: SharedRun;
  /** The baseline (`--vs`). */
  a: AbSide;
  /** The candidate (the run's own kernel). */
  b: AbSide;
  rounds: number;
  /** Samples per side in all; split evenly over the rounds (the last rounds take the rest). */
  samples: number;
  /** Round r uses inputs seeded `seed + r`; the bootstrap uses `seed`. */
  seed: number;
  signal?: AbortSignal | undefined;
  /** Called as each side of each round starts. */
  onRound?: ((round: number, side: 'A' | 'B') => void) | undefined;
}

/** The samples of each round: `total` split as evenly as it goes, larger rounds last. */
export function roundSizes(total: number, rounds: number): number[] {
  const base = Math.floor(total / rounds);
  const extra = total - base * rounds;
  return Array.from({ length: rounds }, (_, i) => base + (i >= rounds - extra ? 1 : 0));
}

/**
 * Runs both sides in alternating rounds and merges each side's rounds into one result file
 * (samples in run order, a note naming the schedule, figures derived from all samples). A round
 * that does not complete (a failed check, a cancel) stops the whole run with its reason.
 */
export async function runInterleavedAb(o: AbOptions): Promise<{ a: ResultFile; b: ResultFile }> {
  if (!Number.isInteger(o.rounds) || o.rounds < 2 || o.rounds > MAX_AB_ROUNDS) {
    throw new CliError(`--rounds: expected an integer in 2..${MAX_AB_ROUNDS}, got ${o.rounds}`);
  }
  if (o.samples < 2 * o.rounds) {
    throw new CliError(
      `--iterations: an interleaved run needs at least 2 samples per round (${2 * o.rounds} for ${o.rounds} rounds), got ${o.samples}`,
    );
  }
  const sizes = roundSizes(o.samples, o.rounds);
  const rounds: Record<'A' | 'B', ResultFile[]> = { A: [], B: [] };
  for (const [i, iterations] of sizes.entries()) {
    const round = i + 1;
    for (const side of ['A', 'B'] as const) {
      const s = side === 'A' ? o.a : o.b;
      o.onRound?.(round, side);
      let result: ResultFile;
      try {
        ({ result } = await o.runner({
          ...o.shared,
          kernel: s.kernel,
          userKernel: s.userKernel,
          stop: { kind: 'count', iterations },
          seed: o.seed + round,
          signal: o.signal,
        }));
      } catch (err) {
        // A refusal before any timing (an unknown kernel, a compile error) says which side.
        throw new CliError(
          `${s.label} in round ${round} of ${o.rounds}: ${errorMessageOf(err)}`,
          1,
        );
      }
      if (result.status !== 'completed') {
        throw new CliError(
          `${s.label} ${result.status} in round ${round} of ${o.rounds}: ${result.error?.message ?? 'no reason given'}`,
          1,
        );
      }
      rounds[side].push(result);
    }
  }
  const merge = (side: 'A' | 'B'): ResultFile => {
    const other = side === 'A' ? o.b.label : o.a.label;
    const first = rounds[side][0];
    const id = `${first?.id ?? 'ab'}-ab${side}`;
    const merged = combineRounds(rounds[side], id, other);
    return {
      ...merged,
      derived: deriveFigures(merged.config, merged.samples.ms, { seed: o.seed }),
    };
  };
  return { a: merge('A'), b: merge('B') };
}

/** What `--vs` takes from a plain run once the flags are read. */
export interface AbShared extends SharedRun {
  seed: number;
  /** The run's parsed stop rule (a count when --iterations was given). */
  stop: StopRule;
  /** The candidate's display id. */
  name: string;
  userKernel: UserKernelSpec | undefined;
  record: ((result: ResultFile) => ResultFile) | undefined;
}

/** The flags of `attnlab run` that `--vs` reads. */
export interface VsFlags {
  backend: string;
  vs?: string | undefined;
  vsOut?: string | undefined;
  out?: string | undefined;
  rounds: string;
  iterations?: string | undefined;
  targetCi?: string | undefined;
  timeBudget?: string | undefined;
  json?: boolean | undefined;
  saveOutput?: string | undefined;
  progress: boolean;
}

/** Samples per side of `--vs` without `--iterations`. */
const AB_DEFAULT_SAMPLES = 100;

/**
 * `--vs ID`: this run's kernel against the built-in ID, interleaved in rounds; writes both
 * merged results and prints both reports and the comparison.
 */
export async function vsAction(
  flags: VsFlags,
  runner: DirectRunner,
  { seed, name, userKernel, record, stop, ...shared }: AbShared,
): Promise<void> {
  for (const [flag, given] of [
    ['--target-ci', flags.targetCi],
    ['--time-budget', flags.timeBudget],
    ['--json', flags.json === true ? true : undefined],
    ['--save-output', flags.saveOutput],
  ] as const) {
    if (given !== undefined) {
      throw new CliError(
        `${flag}: not with --vs (an interleaved run takes --iterations, samples per side, and prints its comparison)`,
      );
    }
  }
  if (flags.vsOut !== undefined) await requireWritable('--vs-out', flags.vsOut);
  // --iterations was parsed into the run's stop rule already; without it, the default count.
  const samples =
    stop.kind === 'count' && flags.iterations !== undefined ? stop.iterations : AB_DEFAULT_SAMPLES;
  const rounds = intInRange('rounds', flags.rounds, 2, MAX_AB_ROUNDS);
  const a = { kernel: flags.vs ?? '', label: `${flags.backend}/${flags.vs ?? ''}` };
  const b = {
    kernel: name,
    userKernel,
    label: `${flags.backend}/${name}`,
  };
  const controller = new AbortController();
  const onSigint = (): void => {
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  const tell = flags.progress && process.stderr.isTTY;
  let outcome: { a: ResultFile; b: ResultFile };
  try {
    outcome = await runInterleavedAb({
      runner,
      shared,
      a,
      b,
      rounds,
      samples,
      seed,
      signal: controller.signal,
      onRound: (round, side) => {
        if (tell) {
          const label = side === 'A' ? a.label : b.label;
          process.stderr.write(`round ${round}/${rounds}: ${side} ${label}\n`);
        }
      },
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
  const mark = record ?? ((r: ResultFile) => r);
  const ra = mark(outcome.a);
  const rb = mark(outcome.b);
  if (flags.vsOut !== undefined) await writeResult(flags.vsOut, ra);
  if (flags.out !== undefined) await writeResult(flags.out, rb);
  const verdict = compare(ra.samples.ms, rb.samples.ms, {
    seed,
    quantumMs: { baseline: quantumOf(ra), candidate: quantumOf(rb) },
  });
  process.stdout.write(
    [
      formatRunReport(ra, flags.vsOut),
      formatRunReport(rb, flags.out),
      formatCompareText(verdict, {
        baselineLabel: a.label,
        candidateLabel: b.label,
        envDiff: diffEnv(ra.env, rb.env),
        envDiffMode: 'important',
        confidence: 0.95,
        margin: DEFAULT_MARGIN,
      }),
    ].join('\n'),
  );
}
