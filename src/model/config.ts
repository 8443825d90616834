/**
 * The attention problem: softmax(Q·Kᵀ·scale)·V over [B, H, S, D] tensors, forward pass.
 * Every front door (lab, CLI, runner) validates through `validateConfig`, so the allowed ranges
 * live here once.
 */
import { z } from 'zod';
import { parseOrThrow } from './errors.ts';

/** Element types a backend may offer; not every backend has every one. */
export const DTYPES = ['f32', 'f16', 'bf16'] as const;
/** Element type of Q, K, V and O. */
export type Dtype = (typeof DTYPES)[number];

/** Inclusive bounds of each numeric config field (shown verbatim in error messages). */
export const CONFIG_LIMITS = {
  batch: { min: 1, max: 4096 },
  heads: { min: 1, max: 1024 },
  seqLen: { min: 1, max: 65536 },
  headDim: { min: 8, max: 256 },
  kvHeads: { min: 1, max: 1024 },
  kvSeqLen: { min: 1, max: 1_048_576 },
} as const;

/**
 * Inclusive bounds of the softmax scale. Kernels hold the scale in f32 and the f16/bf16 kernels
 * multiply it into f16 scores (f16: largest 65504, smallest normal 6.1e-5), so outside 1e-4..1e4
 * the product of O(1) scores with the scale overflows or underflows; the default 1/√D is
 * 0.0625..0.354. Beyond, 1e-300 or 1e300 reached the harness and failed there with a garbled range.
 */
export const SCALE_LIMITS = { min: 1e-4, max: 1e4 } as const;

const scaleMessage = `must be a number in ${SCALE_LIMITS.min}..${SCALE_LIMITS.max}`;

const intIn = (name: keyof typeof CONFIG_LIMITS) => {
  const { min, max } = CONFIG_LIMITS[name];
  const msg = `must be an integer in ${min}..${max}`;
  return z
    .number({ error: msg })
    .int({ error: msg })
    .min(min, { error: msg })
    .max(max, { error: msg });
};

/** Schema of an attention config as written in files and messages. */
export const attentionConfigSchema = z
  .strictObject({
    /** Batch size B. */
    batch: intIn('batch'),
    /** Number of heads H. */
    heads: intIn('heads'),
    /** Query length S; tails of tiles are masked. */
    seqLen: intIn('seqLen'),
    /** Head dimension D; must be a multiple of 8 (kernels load 8-element vectors). */
    headDim: intIn('headDim').refine((d) => d % 8 === 0, {
      error: 'must be a multiple of 8 in 8..256',
    }),
    /** Causal (lower-triangular) masking. */
    causal: z.boolean({ error: 'must be true or false' }),
    /** Element type. */
    dtype: z.enum(DTYPES, { error: `must be one of ${DTYPES.join(', ')}` }),
    /** Softmax scale; defaults to 1/√D. */
    scale: z
      .number({ error: scaleMessage })
      .min(SCALE_LIMITS.min, { error: scaleMessage })
      .max(SCALE_LIMITS.max, { error: scaleMessage })
      .optional(),
    /**
     * Key/value heads Hkv (grouped-query attention; 1 = multi-query). Must divide `heads`; query
     * head h reads KV head ⌊h·Hkv/H⌋. Absent means Hkv = H (files before result@1.1).
     */
    kvHeads: intIn('kvHeads').optional(),
    /**
     * Key/value length Skv (decode: S new queries against an Skv-long cache). Absent means
     * Skv = S. Causal with S ≠ Skv is aligned bottom-right: query i sees keys j ≤ i + Skv − S.
     */
    kvSeqLen: intIn('kvSeqLen').optional(),
  })
  .superRefine((value, ctx) => {
    const { heads, kvHeads } = value;
    if (kvHeads !== undefined && heads % kvHeads !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['kvHeads'],
        input: kvHeads,
        message: `must divide heads (${heads}): one of ${divisors(heads).join(', ')}`,
      });
    }
  });

/** The divisors of n in increasing order (the allowed kvHeads for n query heads). */
export function divisors(n: number): number[] {
  const out: number[] = [];
  for (let d = 1; d <= n; d++) if (n % d === 0) out.push(d);
  return out;
}

/** A validated attention config. `scale` absent means 1/√D. */
export type AttentionConfig = z.output<typeof attentionConfigSchema>;

/** Validates an attention config; throws ValidationError naming each bad field and its range. */
export function validateConfig(input: unknown, prefix = 'config'): AttentionConfig {
  return parseOrThrow(attentionConfigSchema, input, 'invalid attention config', prefix);
}

/** The softmax scale actually used: the config's, or 1/√D. */
export function resolvedScale(config: AttentionConfig): number {
  return config.scale ?? 1 / Math.sqrt(config.headDim);
}

/** Bytes per element of a dtype. */
export function dtypeBytes(dtype: Dtype): number {
  return dtype === 'f32' ? 4 : 2;
}

/** Key/value heads Hkv actually used (the config's, or H). */
export function kvHeadsOf(config: AttentionConfig): number {
  return config.kvHeads ?? config.heads;
}

/** Key/value length Skv actually used (the config's, or S). */
export function kvSeqLenOf(config: AttentionConfig): number {
  return config.kvSeqLen ?? config.seqLen;
}

/** Number of elements in Q or O: B·H·S·D. */
export function tensorElements(config: AttentionConfig): number {
  return config.batch * config.heads * config.seqLen * config.headDim;
}

/** Number of elements in K or V: B·Hkv·Skv·D. */
export function kvTensorElements(config: AttentionConfig): number {
  return config.batch * kvHeadsOf(config) * kvSeqLenOf(config) * config.headDim;
}

/** True when K/V differ in shape from Q (grouped-query heads or Skv ≠ S). */
export function hasKvShape(config: AttentionConfig): boolean {
  return kvHeadsOf(config) !== config.heads || kvSeqLenOf(config) !== config.seqLen;
}

/** Short human label, e.g. `B=2 H=4 S=256 D=64 f32 causal`. */
export function configLabel(config: AttentionConfig): string {
  const { batch, heads, seqLen, headDim, dtype, causal } = config;
  const hkv = kvHeadsOf(config) === heads ? '' : ` Hkv=${kvHeadsOf(config)}`;
  const skv = kvSeqLenOf(config) === seqLen ? '' : ` Skv=${kvSeqLenOf(config)}`;
  return `B=${batch} H=${heads}${hkv} S=${seqLen}${skv} D=${headDim} ${dtype}${causal ? ' causal' : ''}`;
}
