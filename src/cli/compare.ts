/**
 * `attnlab compare BASE CAND`: judge two sample sets with src/stats and print a table, JSON or
 * Markdown. Exit 1 with --fail-on-regression when the verdict is 'slower' (an 'inconclusive'
 * verdict never fires it); exit 2 on bad input, differing configs without
 * --allow-different-config, and usage errors.
 */
import { Command } from 'commander';
import { compare, type ComparisonResult } from '../stats/index.ts';
import {
  diffEnv,
  hasKvShape,
  kvHeadsOf,
  kvSeqLenOf,
  resolvedScale,
  separateRunsWarning,
} from '../model/index.ts';
import type { ResultFile } from '../model/index.ts';
import { CliError } from './errors.ts';
import { loadSamples } from './inputs.ts';
import { formatCompareMarkdown, formatCompareText } from './compare-report.ts';
import { parsePercent } from './options.ts';

interface CompareFlags {
  json?: boolean;
  markdown?: boolean;
  margin: string;
  seed: string;
  resamples: string;
  confidence: string;
  failOnRegression?: boolean;
  allowDifferentConfig?: boolean;
  envDiff: string;
}

/**
 * The config with its defaults filled in, so an omitted default equals its explicit value. The
 * KV shape is filled in only when either side has one, so plain configs differ by what was set.
 */
function problemOf(
  result: ResultFile | undefined,
  withKv: boolean,
): Record<string, unknown> | undefined {
  if (result === undefined) return undefined;
  const c = result.config;
  return {
    ...c,
    scale: resolvedScale(c),
    ...(withKv ? { kvHeads: kvHeadsOf(c), kvSeqLen: kvSeqLenOf(c) } : {}),
  };
}

/** The engine's timer quantum of a result file, when it recorded a positive one. */
export function quantumOf(result: ResultFile | undefined): number | undefined {
  const q = result?.timing.quantumMs;
  return q !== undefined && q !== null && q > 0 ? q : undefined;
}

const ENV_DIFF_MODES = ['important', 'all', 'none'] as const;

function intFlag(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new CliError(`--${flag}: expected an integer in ${min}..${max}, got "${text}"`);
  }
  return value;
}

async function action(base: string, cand: string, flags: CompareFlags): Promise<void> {
  if (flags.json && flags.markdown) throw new CliError('choose one of --json and --markdown');
  const margin = parsePercent('margin', flags.margin);
  if (!(margin >= 0 && margin < 1))
    throw new CliError(`--margin: expected 0%..99%, got "${flags.margin}"`);
  const confidence = parsePercent('confidence', flags.confidence);
  if (!(confidence > 0.5 && confidence < 1)) {
    throw new CliError(`--confidence: expected a level in (50%, 100%), got "${flags.confidence}"`);
  }
  const seed = intFlag('seed', flags.seed, 0, 0xffffffff);
  const resamples = intFlag('resamples', flags.resamples, 100, 1_000_000);
  const envDiffMode = ENV_DIFF_MODES.find((m) => m === flags.envDiff);
  if (envDiffMode === undefined) {
    throw new CliError(
      `--env-diff: expected one of ${ENV_DIFF_MODES.join(', ')}, got "${flags.envDiff}"`,
    );
  }
  const [a, b] = await Promise.all([loadSamples(base), loadSamples(cand)]);
  const withKv = [a.result, b.result].some((r) => r !== undefined && hasKvShape(r.config));
  let result: ComparisonResult;
  try {
    result = compare(a.ms, b.ms, {
      margin,
      seed,
      resamples,
      confidence,
      baselineConfig: problemOf(a.result, withKv),
      candidateConfig: problemOf(b.result, withKv),
      allowDifferentConfig: flags.allowDifferentConfig === true,
      quantumMs: { baseline: quantumOf(a.result), candidate: quantumOf(b.result) },
    });
  } catch (err) {
    // compare() rejects data it cannot judge (a zero time, say): bad input, exit 2.
    if (err instanceof RangeError) throw new CliError(err.message);
    throw err;
  }
  const refused = result.warnings.find((w) => w.code === 'different-config');
  if (refused !== undefined && !result.crossConfig) {
    throw new CliError(
      `${result.verdictReason ?? 'different configs'}: the runs are not comparable; pass --allow-different-config to compare them anyway (labelled cross-config)`,
    );
  }
  const envDiff = a.result && b.result ? diffEnv(a.result.env, b.result.env) : null;
  // Two result files not merged from one interleaved run: their CIs miss run-to-run variation.
  // (Plain sample lists say nothing of how they were taken: nothing is claimed.)
  const separate =
    a.result && b.result
      ? separateRunsWarning(
          a.result,
          b.result,
          "'attnlab run … --vs BASELINE_KERNEL' (or Run A against B in the lab's Compare tab)",
        )
      : null;
  if (separate !== null) result = { ...result, warnings: [...result.warnings, separate] };
  const ctx = {
    baselineLabel: a.label,
    candidateLabel: b.label,
    envDiff,
    envDiffMode,
    confidence,
    margin,
  };
  if (flags.json) {
    const out = {
      ...result,
      inputs: {
        baseline: { label: a.label, kind: a.kind, path: base },
        candidate: { label: b.label, kind: b.kind, path: cand },
      },
      ...(envDiff !== null ? { envDiff } : {}),
    };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  } else if (flags.markdown) {
    process.stdout.write(formatCompareMarkdown(result, ctx));
  } else {
    process.stdout.write(formatCompareText(result, ctx));
  }
  if (flags.failOnRegression && result.verdict === 'slower') {
    process.stderr.write('attnlab: regression: the candidate is slower than the baseline\n');
    process.exitCode = 1;
  }
}

/** Registers `attnlab compare`. */
export function registerCompare(program: Command): void {
  program.addCommand(
    new Command('compare')
      .description(
        'Compare two sample sets (baseline first), detected by content: attnlab result files, hyperfine --export-json (FILE#N picks a command), Google Benchmark JSON with repetitions and pytest-benchmark JSON (FILE#N or FILE#NAME), criterion sample.json, CSV with a header (FILE#COLUMN), a JSON array or a plain list of ms. Exit 0 ok, 1 regression (with --fail-on-regression), 2 bad input or usage.',
      )
      .argument('<baseline>', 'baseline samples')
      .argument('<candidate>', 'candidate samples')
      .option('--json', "print compare()'s object with the inputs' labels")
      .option('--markdown', 'print a Markdown report')
      .option('--margin <pct>', 'practical-equivalence margin for the verdict', '2%')
      .option('--confidence <pct>', 'confidence level of the intervals', '95%')
      .option('--seed <n>', 'bootstrap seed', '1')
      .option('--resamples <n>', 'bootstrap resamples', '10000')
      .option(
        '--env-diff <mode>',
        'environment difference: important (compute-relevant fields, the rest counted), all, none',
        'important',
      )
      .option(
        '--fail-on-regression',
        "exit 1 when the verdict is 'slower' (never on 'inconclusive', e.g. too few samples)",
      )
      .option(
        '--allow-different-config',
        'compare result files whose configs differ (else exit 2); the verdict is labelled cross-config',
      )
      .action(action),
  );
}
