/**
 * `attnlab run … --vs ID`: the run's kernel (B) against a built-in of the same backend (A),
 * interleaved in rounds (A B A B …) in one process. Two separate runs of the same kernel can
 * differ by a few percent (clocks, heat, what else the machine does), which neither run's CI
 * contains; alternating rounds spread that over both sides, so the verdict includes it.
 */
import { combineRounds, deriveFigures } from '../model/index.ts';
import { errorMessageOf } from '../webgpu/errors.ts';
import type { DirectRunOptions, DirectRunner, ResultFile } from '../model/index.ts';
import { CliError } from './errors.ts';

/** Most rounds `--rounds` accepts. */
export const MAX_AB_ROUNDS = 100;

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
  /** What both sides share: config, cache, warm-up, inputs. */
  shared: Pick<DirectRunOptions, 'config' | 'cache' | 'warmup' | 'inputs'>;
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
