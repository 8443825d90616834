/**
 * Flag parsing shared by `run` and `sweep`: the attention config and the stop rule, with every
 * error naming the flag and its allowed range.
 */
import type { Command } from 'commander';
import { CONFIG_LIMITS, ValidationError, stopRuleSchema, validateConfig } from '../model/index.ts';
import type { AttentionConfig, StopRule } from '../model/index.ts';
import { CliError } from './errors.ts';

/** Raw flag values commander gives `run` and `sweep`. */
export interface ConfigFlags {
  batch: string;
  heads: string;
  seq: string;
  dim: string;
  /** `--causal` (true), or in a sweep `--causal both|true|false`. */
  causal?: boolean | string;
  dtype: string;
  scale?: string;
  iterations?: string;
  targetCi?: string;
  timeBudget?: string;
  maxTime?: string;
}

/** Adds the config and stop-rule flags. */
export function addConfigFlags(cmd: Command, { seq = true, sweep = false } = {}): Command {
  const l = CONFIG_LIMITS;
  cmd
    .option('-b, --batch <n>', `batch size B (${l.batch.min}..${l.batch.max})`, '1')
    .option('-H, --heads <n>', `heads H (${l.heads.min}..${l.heads.max})`, '8');
  if (seq)
    cmd.option('-s, --seq <n>', `sequence length S (${l.seqLen.min}..${l.seqLen.max})`, '512');
  return cmd
    .option(
      '-d, --dim <n>',
      'head dim D (multiple of 8 in 8..256; kernels offer 32, 64, 128)',
      '64',
    )
    .option(
      sweep ? '--causal [mode]' : '--causal',
      sweep
        ? 'causal (lower-triangular) mask; `--causal both` sweeps non-causal and causal'
        : 'causal (lower-triangular) mask',
      false,
    )
    .option('--dtype <t>', 'element type: f32 | f16 | bf16', 'f32')
    .option('--scale <x>', 'softmax scale (default 1/sqrt(D))')
    .option('--iterations <n>', 'stop rule: a fixed number of samples')
    .option('--target-ci <pct>', 'stop rule: until the median CI half-width is below this, e.g. 1%')
    .option('--time-budget <dur>', 'stop rule: sample for this long, e.g. 10s or 500ms')
    .option('--max-time <dur>', 'safety limit for --target-ci (default 60s)');
}

function int(flag: string, text: string): number {
  if (!/^-?\d+$/.test(text.trim()))
    throw new CliError(`--${flag}: expected an integer, got "${text}"`);
  return Number.parseInt(text, 10);
}

/** Parses `10s`, `500ms`, `2m`, or a bare number of seconds, into ms. */
export function parseDuration(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/.exec(text.trim());
  if (!m?.[1])
    throw new CliError(`--${flag}: expected a duration like 10s, 500ms or 2m, got "${text}"`);
  const value = Number.parseFloat(m[1]);
  const unit = m[2] ?? 's';
  return unit === 'ms' ? value : unit === 's' ? value * 1000 : value * 60_000;
}

/** Parses `1%` or `0.01` into a fraction. */
export function parsePercent(flag: string, text: string): number {
  const t = text.trim();
  const value = t.endsWith('%') ? Number.parseFloat(t.slice(0, -1)) / 100 : Number.parseFloat(t);
  if (!Number.isFinite(value))
    throw new CliError(`--${flag}: expected a percentage like 1% or 0.01, got "${text}"`);
  return value;
}

/** Builds and validates the config from flags (seqLen may be overridden by a sweep). */
export function configFromFlags(flags: ConfigFlags, seqLen?: number): AttentionConfig {
  const raw = {
    batch: int('batch', flags.batch),
    heads: int('heads', flags.heads),
    seqLen: seqLen ?? int('seq', flags.seq),
    headDim: int('dim', flags.dim),
    causal: flags.causal === true || flags.causal === 'true',
    dtype: flags.dtype,
    ...(flags.scale !== undefined ? { scale: Number.parseFloat(flags.scale) } : {}),
  };
  try {
    return validateConfig(raw);
  } catch (err) {
    if (err instanceof ValidationError) {
      const names: Record<string, string> = {
        'config.batch': '--batch',
        'config.heads': '--heads',
        'config.seqLen': '--seq',
        'config.headDim': '--dim',
        'config.dtype': '--dtype',
        'config.scale': '--scale',
      };
      const lines = err.issues.map((issue) => {
        const key = Object.keys(names).find((k) => issue.startsWith(k + ':'));
        return key ? issue.replace(key, names[key] ?? key) : issue;
      });
      throw new CliError(`invalid config: ${lines.join('; ')}`);
    }
    throw err;
  }
}

/** Builds the stop rule; at most one of --iterations, --target-ci, --time-budget. */
export function stopRuleFromFlags(flags: ConfigFlags, fallback: StopRule): StopRule {
  const given = [flags.iterations, flags.targetCi, flags.timeBudget].filter((x) => x !== undefined);
  if (given.length > 1) {
    throw new CliError('choose one stop rule: --iterations, --target-ci or --time-budget');
  }
  let rule: StopRule = fallback;
  if (flags.iterations !== undefined)
    rule = { kind: 'count', iterations: int('iterations', flags.iterations) };
  else if (flags.targetCi !== undefined) {
    rule = {
      kind: 'ci',
      target: parsePercent('target-ci', flags.targetCi),
      ...(flags.maxTime !== undefined ? { maxMs: parseDuration('max-time', flags.maxTime) } : {}),
    };
  } else if (flags.timeBudget !== undefined) {
    rule = { kind: 'time', budgetMs: parseDuration('time-budget', flags.timeBudget) };
  }
  const parsed = stopRuleSchema.safeParse(rule);
  if (!parsed.success) {
    const flag =
      rule.kind === 'count' ? '--iterations' : rule.kind === 'ci' ? '--target-ci' : '--time-budget';
    const detail = parsed.error.issues.map((i) => i.message).join('; ');
    throw new CliError(`${flag}: ${detail}`);
  }
  return parsed.data;
}
