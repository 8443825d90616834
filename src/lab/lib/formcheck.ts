/**
 * Live validation of the run form: text fields → a validated AttentionConfig and StopRule, or
 * one message per field naming the allowed range. The ranges come from src/model
 * (CONFIG_LIMITS, the zod schemas), so the form and every other front door agree.
 */
import {
  CONFIG_LIMITS,
  attentionConfigSchema,
  estimateMemory,
  formatBytes,
  formatIssues,
  hasKvShape,
  stopRuleSchema,
  validateConfig,
} from '../../model/index.ts';
import type { AttentionConfig, Dtype, Env, KernelInfo, StopRule } from '../../model/index.ts';

/** The config fields as typed. */
export interface ConfigFields {
  batch: string;
  heads: string;
  seqLen: string;
  headDim: string;
  /** KV heads Hkv as typed; empty (or absent) means Hkv = H. */
  kvHeads?: string;
  /** KV length Skv as typed; empty (or absent) means Skv = S. */
  kvSeqLen?: string;
  causal: boolean;
  dtype: Dtype;
}

/** The stop-rule fields as typed. */
export interface StopFields {
  kind: 'count' | 'ci' | 'time';
  /** Samples for `count`. */
  iterations: string;
  /** Target relative half-width in percent for `ci`. */
  ciPercent: string;
  /** Sample cap for `ci`. */
  ciMax: string;
  /** Budget in seconds for `time`. */
  budgetS: string;
}

/** Outcome of a check: the value, or messages keyed by field name. */
export type Checked<T> =
  | { ok: true; value: T; errors: Record<string, never> }
  | { ok: false; value: null; errors: Record<string, string> };

/** Field labels a person reads, keyed by config field. */
export const FIELD_LABELS: Record<keyof typeof CONFIG_LIMITS, string> = {
  batch: 'Batch B',
  heads: 'Heads H',
  seqLen: 'Sequence length S',
  headDim: 'Head dim D',
  // Not "KV heads Hkv": a label containing "heads H" would also match "Heads H" as a substring
  // (Playwright's and screen readers' label search), making the plain heads field ambiguous.
  kvHeads: 'KV heads (Hkv)',
  kvSeqLen: 'KV length Skv',
};

/**
 * Reads a number field: empty → undefined (reported as missing), a number → that number, other
 * text → the text itself, so the schema's message quotes what was typed (`got "abc"`).
 */
function num(text: string): number | string | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  const v = Number(t);
  return Number.isFinite(v) ? v : t;
}

/** What a typed value looks like in a message. */
function shown(text: string): string {
  const t = text.trim();
  return t === '' ? 'missing' : Number.isFinite(Number(t)) ? t : JSON.stringify(t);
}

function collect(
  error: { issues: readonly { path: readonly PropertyKey[] }[] },
  lines: string[],
): Record<string, string> {
  const errors: Record<string, string> = {};
  error.issues.forEach((issue, i) => {
    const field = String(issue.path[0] ?? 'form');
    const line = lines[i] ?? '';
    // formatIssues writes `path: message (got …)`; the form shows the part after the path.
    const text = line.slice(line.indexOf(': ') + 2);
    errors[field] ??= text;
  });
  return errors;
}

function optional<K extends string>(
  key: K,
  value: number | string | undefined,
): Partial<Record<K, number | string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number | string>);
}

/** Validates the config fields with the model's schema. */
export function checkConfig(fields: ConfigFields): Checked<AttentionConfig> {
  const input = {
    batch: num(fields.batch),
    heads: num(fields.heads),
    seqLen: num(fields.seqLen),
    headDim: num(fields.headDim),
    // Empty KV fields leave the keys out: the square problem, as in files from before GQA.
    ...optional('kvHeads', num(fields.kvHeads ?? '')),
    ...optional('kvSeqLen', num(fields.kvSeqLen ?? '')),
    causal: fields.causal,
    dtype: fields.dtype,
  };
  const parsed = attentionConfigSchema.safeParse(input, { reportInput: true });
  if (parsed.success) return { ok: true, value: validateConfig(parsed.data), errors: {} };
  return { ok: false, value: null, errors: collect(parsed.error, formatIssues(parsed.error)) };
}

/** Validates the stop-rule fields with the model's schema. */
export function checkStop(fields: StopFields): Checked<StopRule> {
  const scaled = (text: string, factor: number): number | string | undefined => {
    const v = num(text);
    return typeof v === 'number' ? v * factor : v;
  };
  let input: unknown;
  switch (fields.kind) {
    case 'count':
      input = { kind: 'count', iterations: num(fields.iterations) };
      break;
    case 'ci':
      input = {
        kind: 'ci',
        target: scaled(fields.ciPercent, 0.01),
        maxIterations: num(fields.ciMax),
      };
      break;
    case 'time':
      input = { kind: 'time', budgetMs: scaled(fields.budgetS, 1000) };
      break;
  }
  const parsed = stopRuleSchema.safeParse(input, { reportInput: true });
  if (parsed.success) return { ok: true, value: parsed.data, errors: {} };
  // The schema's fields and units differ from the form's (percent, seconds): say it in the
  // form's terms, quoting what was typed.
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const key = String(issue.path[0] ?? '');
    if (key === 'iterations')
      errors.iterations = `must be an integer in 1..100000 (got ${shown(fields.iterations)})`;
    else if (key === 'target')
      errors.ciPercent = `must be a percentage in (0, 50] (got ${shown(fields.ciPercent)})`;
    else if (key === 'maxIterations')
      errors.ciMax = `must be an integer in 10..100000 (got ${shown(fields.ciMax)})`;
    else if (key === 'budgetMs')
      errors.budgetS = `must be in 0.001..3600 seconds (got ${shown(fields.budgetS)})`;
  }
  return { ok: false, value: null, errors };
}

/** Validates the input seed: an integer in 0..4294967295. */
export function checkSeed(text: string): Checked<number> {
  const v = num(text);
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff) {
    return { ok: true, value: v, errors: {} };
  }
  return {
    ok: false,
    value: null,
    errors: { seed: `must be an integer in 0..4294967295 (got ${shown(text)})` },
  };
}

/** `a`, `a or b`, `a, b or c`. */
function orList(items: readonly string[]): string {
  return items.length <= 1
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1] ?? ''}`;
}

/**
 * A reason as a sentence (capital first, full stop last), so engines' terse reasons (`no
 * NVIDIA GPU found`) read like the lab's own.
 */
export function asSentence(reason: string): string {
  const t = reason.trim();
  if (t === '') return t;
  const first = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}

/** Whether a kernel can run a config, and why not (a sentence). */
export function kernelFits(kernel: KernelInfo, config: AttentionConfig): string | null {
  if (!kernel.available) return asSentence(kernel.reason ?? 'unavailable here');
  if (!kernel.dtypes.includes(config.dtype)) {
    return `Runs in ${orList(kernel.dtypes)} only, and this config is ${config.dtype}.`;
  }
  if (kernel.headDims.length > 0 && !kernel.headDims.includes(config.headDim)) {
    return `Supports head dim D = ${orList(kernel.headDims.map(String))} only, and this config has D = ${config.headDim}.`;
  }
  if (config.causal && !kernel.causal) return 'Has no causal masking, which this config asks for.';
  if (hasKvShape(config) && kernel.kvShape !== true) {
    return 'Runs only square problems (KV heads = H and KV length = S), and this config is grouped-query or decode.';
  }
  return null;
}

/**
 * Whether a config fits the device behind a target: for WebGPU the largest buffer against the
 * adapter's buffer limits, for native GPUs the total against device memory. Null: fits or the
 * device does not say.
 */
export function deviceFit(
  config: AttentionConfig,
  backend: string,
  env: Env | null,
): string | null {
  if (env === null) return null;
  const modelBackend =
    backend === 'webgpu' || backend === 'dawn' || backend === 'cuda' || backend === 'sdpa'
      ? backend
      : 'cpu';
  const estimate = estimateMemory(config, modelBackend);
  const limits = env.adapter?.limits;
  if ((backend === 'webgpu' || backend === 'dawn') && limits) {
    const binding = limits.maxStorageBufferBindingSize;
    const buffer = limits.maxBufferSize;
    const cap = Math.min(binding ?? Infinity, buffer ?? Infinity);
    if (Number.isFinite(cap) && estimate.largestBufferBytes > cap) {
      return `Too large for this device: one tensor needs ${formatBytes(estimate.largestBufferBytes)}, and the adapter allows ${formatBytes(cap)} per buffer.`;
    }
  }
  const total = env.gpu?.memoryBytes;
  if (
    (backend === 'cuda' || backend === 'sdpa') &&
    total !== undefined &&
    estimate.totalBytes > total
  ) {
    return `Too large for this device: it needs ${formatBytes(estimate.totalBytes)}, and the GPU has ${formatBytes(total)}.`;
  }
  return null;
}
