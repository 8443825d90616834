/**
 * Flag parsing shared by `run` and `sweep`: the attention config and the stop rule, with every
 * error naming the flag and its allowed range.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  CONFIG_LIMITS,
  SCALE_LIMITS,
  ValidationError,
  stopRuleSchema,
  validateConfig,
} from '../model/index.ts';
import type { AttentionConfig, StopRule } from '../model/index.ts';
import { CliError } from './errors.ts';

/** Raw flag values commander gives `run` and `sweep`. */
export interface ConfigFlags {
  batch: string;
  heads: string;
  seq: string;
  dim: string;
  /** `--kv-heads`: KV heads Hkv (absent: H). */
  kvHeads?: string;
  /** `--kv-seq`: KV length Skv (absent: S). */
  kvSeq?: string;
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
  // A sweep takes --kv-heads as a list: its own axis flag (src/cli/sweep.ts).
  if (!sweep) {
    cmd.option('--kv-heads <n>', 'KV heads Hkv, dividing H (grouped-query; 1 = MQA; default H)');
  }
  return cmd
    .option(
      '-d, --dim <n>',
      'head dim D (multiple of 8 in 8..256; kernels offer 32, 64, 128)',
      '64',
    )
    .option(
      '--kv-seq <n>',
      `KV length Skv (${l.kvSeqLen.min}..${l.kvSeqLen.max}; decode: S=1 against Skv; default S)`,
    )
    .option(
      sweep ? '--causal [mode]' : '--causal',
      sweep
        ? 'causal (lower-triangular) mask; `--causal both` sweeps non-causal and causal'
        : 'causal mask (bottom-right aligned: query i sees keys j ≤ i + Skv − S)',
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

/** A whole decimal integer in min..max, or a CliError naming the flag and the range. */
export function intInRange(flag: string, text: string, min: number, max: number): number {
  const t = text.trim();
  const value = /^-?\d+$/.test(t) ? Number(t) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new CliError(`--${flag}: expected an integer in ${min}..${max}, got "${text}"`);
  }
  return value;
}

/** A plain decimal number (no trailing junk, no hex, not empty), or NaN. */
export function strictNumber(text: string): number {
  const t = text.trim();
  return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t) ? Number(t) : Number.NaN;
}

/**
 * Checks before any work that `path` can be written: its folder exists and is writable, and the
 * path is not a folder. A CliError names the flag otherwise.
 */
export async function requireWritable(flag: string, path: string): Promise<void> {
  const dir = dirname(resolve(path));
  try {
    const st = await stat(dir);
    if (!st.isDirectory()) throw new CliError(`${flag}: ${dir} is not a folder`);
    await access(dir, constants.W_OK);
  } catch (err) {
    if (err instanceof CliError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new CliError(
      code === 'ENOENT'
        ? `${flag}: folder ${dir} does not exist (create it first)`
        : `${flag}: cannot write into ${dir} (${code})`,
    );
  }
  const target = await stat(path).catch(() => null);
  if (target?.isDirectory()) throw new CliError(`${flag}: ${path} is a folder; give a file name`);
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
  const value = t.endsWith('%') ? strictNumber(t.slice(0, -1)) / 100 : strictNumber(t);
  if (!Number.isFinite(value))
    throw new CliError(`--${flag}: expected a percentage like 1% or 0.01, got "${text}"`);
  return value;
}

function scaleFlag(text: string): number {
  const value = strictNumber(text);
  if (!Number.isFinite(value)) {
    throw new CliError(
      `--scale: expected a number in ${SCALE_LIMITS.min}..${SCALE_LIMITS.max}, got "${text}"`,
    );
  }
  return value;
}

/** Builds and validates the config from flags (seqLen may be overridden by a sweep). */
export function configFromFlags(flags: ConfigFlags, seqLen?: number): AttentionConfig {
  const raw = {
    batch: int('batch', flags.batch),
    heads: int('heads', flags.heads),
    seqLen: seqLen ?? int('seq', flags.seq),
    headDim: int('dim', flags.dim),
    ...(flags.kvHeads !== undefined ? { kvHeads: int('kv-heads', flags.kvHeads) } : {}),
    ...(flags.kvSeq !== undefined ? { kvSeqLen: int('kv-seq', flags.kvSeq) } : {}),
    causal: flags.causal === true || flags.causal === 'true',
    dtype: flags.dtype,
    ...(flags.scale !== undefined ? { scale: scaleFlag(flags.scale) } : {}),
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
        'config.kvHeads': '--kv-heads',
        'config.kvSeqLen': '--kv-seq',
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
